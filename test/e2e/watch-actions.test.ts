/**
 * `npm start -- --watch`: a saved edit to an Action's source is rebuilt and deployed into the
 * running tenant, and the next login runs the new code; users and the outbox stay. The edit is
 * made in a copy of actions/, so the repository's sources are never touched.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchActions, type RedeployReport } from '../../local-tenant/watch-actions';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
let stack: InstalledStack;
let copy: string;

beforeAll(async () => {
  stack = await startInstalledStack();
  copy = mkdtempSync(join(tmpdir(), 'watch-actions-'));
  cpSync(join(ROOT, 'actions'), join(copy, 'actions'), { recursive: true });
  cpSync(join(ROOT, 'package-lock.json'), join(copy, 'package-lock.json'));
});
afterAll(async () => {
  await stack?.stop();
  if (copy) rmSync(copy, { recursive: true, force: true });
});

it('an edit to verify-and-welcome is running at the next login, the users and outbox kept', async () => {
  const email = 'watcher@example.com';
  const password = 'a-Strong-passw0rd-here';
  await stack.client.management.users.create({ connection: 'members', email, password });
  const usersBefore = stack.tenant.store.data.users.length;
  const reports: RedeployReport[] = [];
  const watcher = watchActions({
    root: copy,
    outDir: join(copy, 'dist'),
    management: stack.client.management,
    onRedeploy: (r) => reports.push(r),
  });
  try {
    const source = join(copy, 'actions', 'verify-and-welcome', 'index.ts');
    const handler = 'export const onExecutePostLogin: PostLoginHandler = async (event, api) => {';
    const original = readFileSync(source, 'utf8');
    expect(original).toContain(handler);
    writeFileSync(source, original.replace(handler, `${handler}\n  console.log('edited-while-running');`));

    const deadline = Date.now() + 30_000;
    while (reports.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toEqual([expect.objectContaining({ action: 'verify-and-welcome', ok: true })]);
    console.log(`watch: save to new code deployed in ${reports[0]?.ms} ms`);

    const login = await stack.client.login('members', email, password);
    expect(login.status).toBe(200);
    const logs = stack.tenant.store.data.action_executions
      .filter((e) => e.trigger_id === 'post-login')
      .flatMap((e) => e.results.flatMap((r) => r.logs));
    expect(logs).toContain('edited-while-running');
    expect(stack.tenant.store.data.users).toHaveLength(usersBefore);
  } finally {
    watcher.close();
  }
});
