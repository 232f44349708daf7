import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDotenvFiles } from './dotenv-files';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dotenv-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the process environment wins, then .env.<name>, then .env; only file names are reported', () => {
  writeFileSync(join(dir, '.env'), 'AUTH0_DOMAIN=shared.eu.auth0.com\nMAIL_FROM=shared@example.com\nSUPPORT_EMAIL=help@example.com\n');
  writeFileSync(join(dir, '.env.staging'), 'AUTH0_DOMAIN=staging.eu.auth0.com\nMAIL_FROM=staging@example.com\n');
  const env: NodeJS.ProcessEnv = { MAIL_FROM: 'pipeline@example.com' };
  expect(loadDotenvFiles(dir, 'staging', env)).toEqual(['.env.staging', '.env']);
  expect(env).toEqual({ MAIL_FROM: 'pipeline@example.com', AUTH0_DOMAIN: 'staging.eu.auth0.com', SUPPORT_EMAIL: 'help@example.com' });
});

test('no file, nothing read; a name that is not an environment name reads nothing', () => {
  const env: NodeJS.ProcessEnv = {};
  expect(loadDotenvFiles(dir, 'prod', env)).toEqual([]);
  writeFileSync(join(dir, '.env.x'), 'A=1\n');
  expect(loadDotenvFiles(dir, '../x', env)).toEqual([]);
  expect(env).toEqual({});
});
