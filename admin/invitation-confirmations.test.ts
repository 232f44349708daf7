import { LOCAL_CLIENTS } from '../local-tenant/local-stack';
import { searchCaughtUp, seedTenant, startTestTenant } from '../local-tenant/test/helpers';
import type { LocalTenant } from '../local-tenant/server';
import { ActionInvitations, type InvitationVerdict } from './invitation-confirmations';
import type { AdminManagement } from './management';
import { adminManagement } from '../test/support/admin-scripts';

/** The confirmer with the real auth0 SDK over HTTPS to the local tenant (no Action bound: the test writes the records). */
let tenant: LocalTenant;
let management: AdminManagement;
beforeAll(async () => {
  tenant = await startTestTenant({ machineClients: [LOCAL_CLIENTS.admin] });
  seedTenant(tenant);
  management = adminManagement(tenant);
});
afterAll(async () => tenant.stop());
beforeEach(() => {
  tenant.faults.clear();
  tenant.requestLog.clear();
});

let counter = 0;
async function newUser(appMetadata: Record<string, unknown> = {}): Promise<string> {
  counter += 1;
  const created = await management.client.users.create({
    connection: 'members',
    email: `confirm-${counter}@example.com`,
    password: 'Correct-Horse-Battery-9!',
    app_metadata: { invite: true, ...appMetadata },
  });
  return created.user_id!;
}

function record(userId: string): void {
  tenant.store.mergeUserMetadata(tenant.store.findUser(userId)!, { app_metadata: { invitation_email_sent: true } });
}

const reads = () => tenant.requestLog.list().filter((r) => r.method === 'GET' && r.path.startsWith('/api/v2/users'));
const searches = () => reads().filter((r) => r.path === '/api/v2/users');
const byId = () => reads().filter((r) => r.path !== '/api/v2/users');

describe('ActionInvitations', () => {
  it('confirms recorded invitations with one search per 25 users, and no read by id', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => newUser({ invitation_email_sent: true })));
    // Records the search index has taken in (it trails writes, as Auth0's does).
    await searchCaughtUp(tenant);
    tenant.requestLog.clear();
    const confirmations = new ActionInvitations(management, { settleMs: 5_000, firstCheckMs: 50 });
    const now = Date.now();
    const verdicts = await Promise.all(ids.map((id) => confirmations.confirm(id, now)));
    expect(verdicts).toEqual(ids.map(() => ({ state: 'sent' })));
    expect(searches()).toHaveLength(2);
    expect(byId()).toHaveLength(0);
  });

  it('shares searches among users created one by one (a run at a few users a second)', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => newUser({ invitation_email_sent: true })));
    tenant.requestLog.clear();
    const confirmations = new ActionInvitations(management, { settleMs: 10_000, firstCheckMs: 400 });
    const verdicts: Promise<InvitationVerdict>[] = [];
    for (const id of ids) {
      verdicts.push(confirmations.confirm(id, Date.now()));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Every user's record is confirmed: shared searches still see each one.
    expect(await Promise.all(verdicts)).toEqual(ids.map(() => ({ state: 'sent' })));
    // One user every 50 ms over 1 s, each first due 0.4 s after it came, a search once the oldest
    // due waited 0.4 s: about 8 users a search. One search per user would be 20.
    expect(searches().length).toBeLessThanOrEqual(4);
  });

  it('waits for a record that comes late, looking less often as the user ages', async () => {
    const id = await newUser();
    tenant.requestLog.clear();
    const confirmations = new ActionInvitations(management, { settleMs: 5_000, firstCheckMs: 100 });
    const started = Date.now();
    setTimeout(() => record(id), 700);
    const verdict = await confirmations.confirm(id, started);
    expect(verdict).toEqual({ state: 'sent' });
    // Looked at 0.1 s, then at twice the age each time (0.2, 0.4, 0.8 s): a few searches, not one per poll tick.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(searches().length).toBeGreaterThanOrEqual(2);
    expect(searches().length).toBeLessThanOrEqual(5);
  });

  it('declares an invitation not sent only after the settle time, and only after a read by id', async () => {
    const id = await newUser();
    tenant.requestLog.clear();
    const confirmations = new ActionInvitations(management, { settleMs: 1_000, firstCheckMs: 100 });
    const started = Date.now();
    const verdict = await confirmations.confirm(id, started);
    expect(verdict).toEqual({ state: 'not_sent' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(byId()).toHaveLength(1);
  });

  it('trusts the read by id when the search lags (Auth0 search is eventually consistent)', async () => {
    const id = await newUser({ invitation_email_sent: true });
    tenant.requestLog.clear();
    // The search answers 503 every time (after the governor's retries): only the read by id can tell.
    tenant.faults.add({ route: 'GET /api/v2/users', kind: '503', times: 50 });
    const confirmations = new ActionInvitations(management, { settleMs: 300, firstCheckMs: 50 });
    expect(await confirmations.confirm(id, Date.now())).toEqual({ state: 'sent' });
    expect(byId()).toHaveLength(1);
  });

  it('a user deleted meanwhile is no user, not a lost invitation', async () => {
    const id = await newUser();
    // As an administrator would, at the dashboard: the scripts' application may not delete users.
    tenant.store.removeUsers((user) => user.user_id === id);
    const confirmations = new ActionInvitations(management, { settleMs: 0, firstCheckMs: 0 });
    expect(await confirmations.confirm(id, Date.now())).toEqual({ state: 'no_user' });
  });

  it('when the run stops, looks once more at once and leaves the rest unknown', async () => {
    const recorded = await newUser({ invitation_email_sent: true });
    const pending = await newUser();
    const confirmations = new ActionInvitations(management, { settleMs: 60_000, firstCheckMs: 30_000 });
    const now = Date.now();
    const verdicts = Promise.all([confirmations.confirm(recorded, now), confirmations.confirm(pending, now)]);
    confirmations.hurry();
    const started = Date.now();
    expect(await verdicts).toEqual([{ state: 'sent' }, { state: 'unknown', reason: 'invitation_unconfirmed' }]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
