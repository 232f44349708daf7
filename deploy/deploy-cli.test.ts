import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTSTRAP, startTestTenant } from '../local-tenant/test/helpers';
import type { LocalTenant } from '../local-tenant/server';
import { importWithDeployCli } from './deploy-cli';

/**
 * The deploy-cli host (deploy-cli-host.ts) keeps deploy-cli's compiled schema between imports and
 * runs each import as a new `a0deploy` process would: every import is still validated, and no
 * setting of one import (a dry run) leaks into the next.
 */
let dir: string;
let tenant: LocalTenant;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-cli-host-test-'));
  tenant = await startTestTenant();
});
afterAll(async () => {
  await tenant.stop();
  rmSync(dir, { recursive: true, force: true });
});

function bundle(name: string, clientName: string): { inputDir: string; configPath: string; caCertPath: string } {
  const inputDir = join(dir, name);
  mkdirSync(join(inputDir, 'clients'), { recursive: true });
  writeFileSync(join(inputDir, 'clients', 'app.json'), JSON.stringify({ name: clientName }));
  const configPath = join(dir, `${name}.config.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      AUTH0_DOMAIN: tenant.domain,
      AUTH0_CLIENT_ID: BOOTSTRAP.client_id,
      AUTH0_CLIENT_SECRET: BOOTSTRAP.client_secret,
      AUTH0_INCLUDED_ONLY: ['clients'],
      AUTH0_ALLOW_DELETE: false,
    }),
  );
  return { inputDir, configPath, caCertPath: tenant.caCertPath };
}

test('every import is validated against the schema, before and after a valid one', async () => {
  // deploy-cli's client name pattern is [^<>]+: "<>" is refused by the schema.
  const invalid = await importWithDeployCli(bundle('invalid', '<>'));
  expect(invalid.exitCode).toBe(1);
  expect(invalid.output).toContain('Schema validation failed');
  expect(invalid.output).toContain('.clients[0].name');

  const valid = await importWithDeployCli(bundle('valid', 'Valid App'));
  expect(valid.output).not.toContain('Schema validation failed');
  expect(valid.exitCode).toBe(0);
  expect(tenant.store.data.clients.map((c) => c.name)).toContain('Valid App');

  const again = await importWithDeployCli(bundle('invalid-again', '<>'));
  expect(again.exitCode).toBe(1);
  expect(again.output).toContain('Schema validation failed');
}, 120_000);

test('a dry run leaves no setting behind: the next import is not a dry run', async () => {
  const planned = await importWithDeployCli({ ...bundle('plan', 'Planned App'), dryRun: true });
  expect(planned.exitCode).toBe(0);
  expect(planned.output).toMatch(/dry run/i);
  expect(tenant.store.data.clients.map((c) => c.name)).not.toContain('Planned App');

  const imported = await importWithDeployCli(bundle('import', 'Planned App'));
  expect(imported.exitCode).toBe(0);
  expect(imported.output).not.toMatch(/dry run/i);
  expect(tenant.store.data.clients.map((c) => c.name)).toContain('Planned App');
}, 120_000);
