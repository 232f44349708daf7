export type JsonSchema = { properties?: Record<string, JsonSchema> } & Record<string, unknown>;

const withoutCustomText = new WeakMap<object, JsonSchema>();
const defaultsIn = new WeakMap<object, boolean>();

/** Whether a schema gives a default anywhere: ajv's useDefaults would then write into absent data, and the branch matters even when absent. */
function setsDefaults(schema: object): boolean {
  let known = defaultsIn.get(schema);
  if (known === undefined) {
    known = JSON.stringify(schema).includes('"default":');
    defaultsIn.set(schema, known);
  }
  return known;
}

/**
 * The schema an import's assets are checked against, without `prompts.customText` when the assets
 * have none. That branch is 8.06 MB of the 8.1 MB (language x prompt x screen, each `{ type:
 * 'object' }`, no default) and ~98 % of the compile time (~25 s of CPU); ajv's `properties` keyword
 * only visits the properties the data has, so for assets without `prompts.customText` the result,
 * the errors and the defaults applied are those of the whole schema. Assets with it, or a schema
 * whose branch sets a default (a later deploy-cli), get the whole schema.
 */
export function schemaFor(schema: JsonSchema, data: unknown): JsonSchema {
  const prompts = schema.properties?.prompts;
  const customText = prompts?.properties?.customText;
  const assetsPrompts = (data as { prompts?: unknown } | null)?.prompts;
  const hasCustomText = typeof assetsPrompts === 'object' && assetsPrompts !== null && 'customText' in assetsPrompts;
  if (prompts === undefined || customText === undefined || hasCustomText || setsDefaults(customText)) return schema;
  let pruned = withoutCustomText.get(schema);
  if (pruned === undefined) {
    const { customText: _dropped, ...promptProperties } = prompts.properties ?? {};
    pruned = { ...schema, properties: { ...schema.properties, prompts: { ...prompts, properties: promptProperties } } };
    withoutCustomText.set(schema, pruned);
  }
  return pruned;
}
