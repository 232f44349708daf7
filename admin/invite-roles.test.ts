import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CLIENTS } from '../local-tenant/local-stack';
import { seedTenant, startTestTenant } from '../local-tenant/test/helpers';
import type { LocalTenant } from '../local-tenant/server';
import { runBulkInvite } from './bulk-invite';
import type { AdminManagement } from './management';
import { adminManagement } from '../test/support/admin-scripts';
import type { RowReport } from './report';

/**
 * `npm run invite -- --roles`: the real auth0 SDK over HTTPS to the local tenant, with the admin
 * scripts' application and its scopes. Action mode without an Action bound and without waiting
 * for its record: the rows end `created`, which is all the roles need.
 */
let tenant: LocalTenant;
let management: AdminManagement;
const work = mkdtempSync(join(tmpdir(), 'invite-roles-'));
beforeAll(async () => {
  tenant = await startTestTenant({ machineClients: [LOCAL_CLIENTS.admin] });
  seedTenant(tenant);
  management = adminManagement(tenant);
});
afterAll(async () => tenant.stop());

async function invite(csv: string, roles: string[]): Promise<RowReport[]> {
  const rows: RowReport[] = [];
  await runBulkInvite({ csvPath: csv, management, mode: 'action', confirm: false, roles, stateDir: work, onRow: (row) => rows.push(row) });
  return rows.sort((a, b) => a.line - b.line);
}

function csv(name: string, emails: string[]): string {
  const path = join(work, name);
  writeFileSync(path, ['email,connection', ...emails.map((email) => `${email},members`)].join('\n'));
  return path;
}

const requests = (method: string, path: RegExp) => tenant.requestLog.list().filter((r) => r.method === method && path.test(r.path));
const rolesOf = (userId: string) => tenant.store.rolesOf(userId).map((r) => r.id);

test('each created user gets the roles, one request each; a user that existed before gets none', async () => {
  const editor = tenant.store.createRole('editor', 'Edits');
  const viewer = tenant.store.createRole('viewer', 'Views');
  const before = await management.client.users.create({ connection: 'members', email: 'before@example.com', password: 'Correct-Horse-9!' });
  tenant.requestLog.clear();
  const rows = await invite(csv('roles.csv', ['r1@example.com', 'r2@example.com', 'before@example.com']), [editor.id, viewer.id]);
  expect(rows.map((r) => r.status)).toEqual(['created', 'created', 'exists']);
  for (const row of rows.slice(0, 2)) expect(rolesOf(row.user_id!)).toEqual([editor.id, viewer.id]);
  expect(rolesOf(before.user_id!)).toEqual([]);
  expect(requests('POST', /^\/api\/v2\/users\/[^/]+\/roles$/)).toHaveLength(2);
});

test('an unknown role fails the row (the user stays created); a rerun assigns the roles without creating the user again', async () => {
  const editor = tenant.store.createRole('author', 'Writes');
  const file = csv('rerun.csv', ['again@example.com']);
  const [failed] = await invite(file, [editor.id, 'rol_DoesNotExist1234']);
  expect(failed).toMatchObject({ status: 'failed', reason: 'roles_http_404' });
  expect(failed!.user_id).toBeDefined();
  // Auth0 assigns none of the list when one id is unknown.
  expect(rolesOf(failed!.user_id!)).toEqual([]);

  tenant.requestLog.clear();
  const [resumed] = await invite(file, [editor.id]);
  expect(resumed).toMatchObject({ status: 'created', user_id: failed!.user_id, earlier_run: true });
  expect(rolesOf(failed!.user_id!)).toEqual([editor.id]);
  expect(requests('POST', /^\/api\/v2\/users$/)).toHaveLength(0);
  // Assigning again is harmless: the role is held once.
  await invite(file, [editor.id]);
  expect(rolesOf(failed!.user_id!)).toEqual([editor.id]);
});
