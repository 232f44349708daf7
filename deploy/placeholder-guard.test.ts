import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentDescription } from '../build/environments';
import { findUnfilledPlaceholders, formatUnfilledPlaceholder, replaceKeywords } from './placeholder-guard';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'placeholders-'));
  mkdirSync(join(dir, 'actions'));
  mkdirSync(join(dir, 'clients'));
  writeFileSync(join(dir, 'tenant.json'), '{ "friendly_name": "##TENANT_FRIENDLY_NAME##", "support_email": "##SUPPORT_EMAIL##" }');
  writeFileSync(
    join(dir, 'clients', 'app.json'),
    '{ "name": "App", "callbacks": @@APP_CALLBACKS@@, "initiate_login_uri": "##APP_LOGIN_URL##" }',
  );
  writeFileSync(
    join(dir, 'actions', 'a.json'),
    '{ "secrets": [{ "name": "SENDGRID_API_KEY", "value": "##SENDGRID_API_KEY##" }, { "name": "X", "value": "##SUPPORT_EMAIL##" }] }',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const environment: EnvironmentDescription = {
  name: 'staging',
  domain: { env: 'AUTH0_DOMAIN' },
  keywords: {
    TENANT_FRIENDLY_NAME: 'Acme',
    SUPPORT_EMAIL: { env: 'SUPPORT_EMAIL' },
    APP_CALLBACKS: { env: 'APP_CALLBACKS', json: true },
    SENDGRID_API_KEY: { env: 'SENDGRID_API_KEY' },
  },
};

test('names every placeholder without a value, the files holding it, and the variable or file that would give it', () => {
  const unfilled = findUnfilledPlaceholders(dir, { TENANT_FRIENDLY_NAME: 'Acme', SENDGRID_API_KEY: 'SG.x' }, environment);
  expect(unfilled.map(formatUnfilledPlaceholder)).toEqual([
    'Unfilled placeholder @@APP_CALLBACKS@@ in clients/app.json: environment variable APP_CALLBACKS is not set.',
    'Unfilled placeholder ##APP_LOGIN_URL## in clients/app.json: environments/staging.json has no keyword APP_LOGIN_URL.',
    'Unfilled placeholder ##SUPPORT_EMAIL## in actions/a.json, tenant.json: environment variable SUPPORT_EMAIL is not set.',
  ]);
});

test('nothing when every placeholder has a value, an empty string included', () => {
  const values = {
    TENANT_FRIENDLY_NAME: 'Acme',
    SUPPORT_EMAIL: '',
    APP_CALLBACKS: ['https://a'],
    APP_LOGIN_URL: 'https://a',
    SENDGRID_API_KEY: 'SG.x',
  };
  expect(findUnfilledPlaceholders(dir, values, environment)).toEqual([]);
});

test('replaceKeywords does what deploy-cli does: @@ JSON-encoded (its quotes dropped when quoted), ## as is', () => {
  const values = { LIST: ['a', 'b'], NAME: 'Acme "HQ"' };
  expect(JSON.parse(replaceKeywords('{ "a": @@LIST@@, "b": "@@LIST@@", "c": @@NAME@@ }', values))).toEqual({
    a: ['a', 'b'],
    b: ['a', 'b'],
    c: 'Acme "HQ"',
  });
  expect(replaceKeywords('<p>##NAME##</p>', values)).toBe('<p>Acme "HQ"</p>');
});
