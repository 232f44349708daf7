import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ManagementClient } from 'auth0';
import { importWithDeployCli } from '../../deploy/deploy-cli';
import type { LocalTenant } from '../server';
import type { TenantData } from '../state/types';
import { BOOTSTRAP, managementClient, startTestTenant } from './helpers';

const FIXTURE = resolve(__dirname, 'fixtures/tenant');

let tenant: LocalTenant;
let mgmt: ManagementClient;
let configFile: string;

/**
 * What an import may change: everything but tickets, users, outbox and executions, and the
 * Actions' versions and build times, which every import renews (each deploy is a version in Auth0).
 */
function configState(data: TenantData): unknown {
  const { users: _u, tickets: _t, outbox: _o, action_executions: _e, action_versions: _v, actions, ...config } = structuredClone(data);
  return {
    ...config,
    actions: actions.map(({ updated_at: _up, built_at: _b, deployed_version_id: _d, ...action }) => action),
  };
}

beforeAll(async () => {
  tenant = await startTestTenant();
  mgmt = managementClient(tenant);
  configFile = join(mkdtempSync(join(tmpdir(), 'a0deploy-')), 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      AUTH0_DOMAIN: tenant.domain,
      AUTH0_CLIENT_ID: BOOTSTRAP.client_id,
      AUTH0_CLIENT_SECRET: BOOTSTRAP.client_secret,
      AUTH0_KEYWORD_REPLACE_MAPPINGS: { AUTH0_CLIENT_ID: 'client-id-for-actions', SENDGRID_API_KEY: 'SG.local' },
    }),
  );
});
afterAll(async () => tenant.stop());

test("a0deploy import deploys the directory; a second import of it (deploy-cli's Node API) changes nothing", async () => {
  // The real auth0-deploy-cli: `a0deploy import -i <dir> -c <config>` through its Node API, in
  // the run's deploy-cli host (deploy/deploy-cli-host.ts), over HTTPS trusting our CA.
  const first = await importWithDeployCli({ inputDir: FIXTURE, configPath: configFile, caCertPath: tenant.caCertPath });
  expect(first.output).not.toMatch(/error/i);
  expect(first.exitCode).toBe(0);
  const calls = tenant.requestLog
    .list()
    .map((r) => `${r.method} ${r.path.replace(/\/(con_[0-9a-f]+|[0-9a-f-]{32,36})(?=\/|$)/g, '/{id}')} ${r.status}`);
  expect(calls).toEqual(
    expect.arrayContaining([
      'POST /oauth/token 200',
      'POST /api/v2/actions/actions 201',
      'POST /api/v2/actions/actions/{id}/deploy 200',
      'POST /api/v2/connections 201',
      'PATCH /api/v2/connections/{id}/clients 204',
      'POST /api/v2/emails/provider 201',
      'POST /api/v2/email-templates 200',
      'PATCH /api/v2/actions/triggers/post-login/bindings 200',
      'PATCH /api/v2/tenants/settings 200',
    ]),
  );
  const afterFirst = configState(tenant.store.data);

  // Shapes through the auth0 v7 SDK: Auth0's envelopes, secret values never returned.
  const actions = await mgmt.actions.list();
  const action = actions.data.find((a) => a.name === 'greet-on-login');
  expect(action).toEqual(
    expect.objectContaining({ runtime: 'node22', supported_triggers: [{ id: 'post-login', version: 'v3' }], all_changes_deployed: true }),
  );
  expect(action?.secrets?.map((s) => Object.keys(s).sort())).toEqual([
    ['name', 'updated_at'],
    ['name', 'updated_at'],
  ]);
  expect(JSON.stringify(actions.data)).not.toContain('client-id-for-actions');
  expect(tenant.store.data.actions[0]?.secrets.find((s) => s.name === 'AUTH0_CLIENT_ID')?.value).toBe('client-id-for-actions');
  const bindings = await mgmt.actions.triggers.bindings.list('post-login');
  expect(bindings.data.map((b) => b.action?.name)).toEqual(['greet-on-login']);
  const shared = tenant.store.findConnectionByName('shared-inbox');
  expect(shared?.enabled_clients).toEqual([tenant.store.data.clients.find((c) => c.name === 'Web App')?.client_id]);
  expect((await mgmt.emailTemplates.get('reset_email')).syntax).toBe('liquid');

  tenant.requestLog.clear();
  const second = await importWithDeployCli({ inputDir: FIXTURE, configPath: configFile, caCertPath: tenant.caCertPath });
  expect(second.exitCode).toBe(0);
  expect(configState(tenant.store.data)).toEqual(afterFirst);
  // deploy-cli deploys every Action of the directory on every import: an unchanged one gets a
  // new version too, as on a real tenant (the plan says so; see deploy/plan.ts).
  expect(tenant.store.data.action_versions.map((v) => [v.number, v.deployed])).toEqual([
    [1, false],
    [2, true],
  ]);
  // deploy-cli PATCHes every matched resource each time; those no-op PATCHes are what it sends.
  const secondCalls = tenant.requestLog.list().map((r) => `${r.method} ${r.path.split('/').slice(0, 5).join('/')}`);
  expect(secondCalls).toEqual(
    expect.arrayContaining(['PATCH /api/v2/actions/actions', 'PATCH /api/v2/email-templates/reset_email', 'PATCH /api/v2/emails/provider']),
  );
}, 300_000);
