import { execFileSync } from 'node:child_process';
import { schemaFor, type JsonSchema } from './deploy-cli-schema';

/** deploy-cli's own schema, as its import validates the assets with it (read by Node itself: its handlers load ES-module-only chalk, which jest cannot). */
const full = JSON.parse(
  execFileSync(
    process.execPath,
    ['-e', "process.stdout.write(JSON.stringify(require('auth0-deploy-cli/lib/tools/auth0/schema').default))"],
    {
      cwd: __dirname,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    },
  ),
) as JsonSchema;

function customTextOf(schema: JsonSchema): JsonSchema | undefined {
  return schema.properties?.prompts?.properties?.customText;
}

test("assets without prompts.customText are checked against deploy-cli's schema less that branch, and nothing else", () => {
  for (const assets of [{}, { clients: [{ name: 'App' }] }, { prompts: { identifier_first: true } }]) {
    const used = schemaFor(full, assets);
    expect(customTextOf(used)).toBeUndefined();
    // Put the branch back where it was: the whole schema again, to the last keyword (compared as text: a diff of 8 MB helps nobody).
    const restored = structuredClone(used);
    const promptProperties = full.properties!.prompts!.properties!;
    restored.properties!.prompts!.properties = Object.fromEntries(
      Object.keys(promptProperties).map((key) => [
        key,
        key === 'customText' ? customTextOf(full)! : used.properties!.prompts!.properties![key]!,
      ]),
    );
    expect(JSON.stringify(restored) === JSON.stringify(full)).toBe(true);
    // The branch is nearly all of the 8.1 MB.
    expect(JSON.stringify(used).length).toBeLessThan(JSON.stringify(full).length / 20);
  }
  expect(customTextOf(full)).toBeDefined();
});

test('assets with prompts.customText, and a branch that sets a default, get the whole schema', () => {
  expect(schemaFor(full, { prompts: { customText: { en: {} } } })).toBe(full);
  const withDefault: JsonSchema = {
    type: 'object',
    properties: { prompts: { type: 'object', properties: { customText: { type: 'object', default: {} } } } },
  };
  expect(schemaFor(withDefault, {})).toBe(withDefault);
});

test('the pruned schema is made once per schema object', () => {
  expect(schemaFor(full, {})).toBe(schemaFor(full, { clients: [] }));
});
