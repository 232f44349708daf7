import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment } from '../build/environments';
import { buildTenantBundle } from '../build/tenant-bundle';
import { formatSummary } from './summary';
import { refusalAdvice, templateResultUrlProblems, templatesWithResultUrl } from './template-result-url';

const ROOT = join(__dirname, '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function built(templateResultUrl: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'result-url-'));
  dirs.push(dir);
  await buildTenantBundle(ROOT, { outDir: dir, templateResultUrl });
  return dir;
}

const staging = loadEnvironment('staging');

test('the default build sends no template resultUrl; --template-result-url adds it to reset_email and verify_email only', async () => {
  const plain = await built(false);
  expect(templatesWithResultUrl(plain)).toEqual([]);
  const withResultUrl = await built(true);
  expect(templatesWithResultUrl(withResultUrl)).toEqual(['emails/reset_email.json', 'emails/verify_email.json']);
  // The variant adds the one field: the rest of each template is tenant/'s.
  const reset = JSON.parse(readFileSync(join(withResultUrl, 'emails', 'reset_email.json'), 'utf8')) as Record<string, unknown>;
  const base = JSON.parse(readFileSync(join(ROOT, 'tenant', 'emails', 'reset_email.json'), 'utf8')) as Record<string, unknown>;
  expect(reset).toEqual({ ...base, resultUrl: '##RESET_RESULT_URL##' });
});

test('every environment leaves template resultUrl off until its tenant is known to allow it', () => {
  for (const name of ['dev', 'staging', 'prod', 'local']) expect(loadEnvironment(name).templateResultUrl).toBe(false);
});

test('a bundle with template resultUrl is refused for an environment that does not allow it, and passes for one that does', async () => {
  const withResultUrl = await built(true);
  expect(templateResultUrlProblems(withResultUrl, staging)).toEqual([
    expect.stringContaining('environments/staging.json does not allow one ("templateResultUrl" is not true)'),
  ]);
  expect(templateResultUrlProblems(withResultUrl, { ...staging, templateResultUrl: true })).toEqual([]);
});

test("Auth0's 403 in deploy-cli's output names the setting to change in the summary", () => {
  const output = [
    '2026-12-01T20:00:00.000Z - info: Updated [actions]: {"name":"password-reset-landing"}',
    '2026-12-01T20:00:01.000Z - error: Problem running command import during stage processChanges when processing type emailTemplates',
    '2026-12-01T20:00:01.000Z - error: Customizations for resultUrl are not allowed for non-enterprise tenants',
  ].join('\n');
  const advice = refusalAdvice(output, { ...staging, templateResultUrl: true });
  expect(advice).toEqual([expect.stringContaining('Set "templateResultUrl": false in environments/staging.json and deploy again')]);
  const text = formatSummary(
    { created: [], changed: [{ type: 'actions', name: 'password-reset-landing' }], resent: [], untouched: [], leftAlone: [], advice },
    'Applied before the failure:',
  );
  expect(text).toMatch(
    /^To fix: The tenant refused the email templates' resultUrl .*"templateResultUrl": false in environments\/staging\.json/m,
  );
  expect(refusalAdvice('error: fetch failed', staging)).toEqual([]);
});
