/**
 * `resend --pending` for more users than Auth0's search returns (1,000), against the local tenant
 * with the 1,000 cap and the search index lag on (rate limits off): the free profile lists them
 * with windowed search, a plan with exports with an export job (dry runs: a send is the same per
 * user whatever their number, and 1,500 sends take two minutes in process). Users whose state
 * changed after the listing (a login, a deletion) are read again by id, not trusted.
 */
import { loadAdminConfig, requireSettings } from '../../admin/admin-config';
import type { DirectInvitation } from '../../admin/invite-user';
import { connectManagement, type AdminManagement } from '../../admin/management';
import { RateGovernor } from '../../admin/rate-limit';
import { pendingInvitations, resendToMatching, type ResendOutcome } from '../../admin/resend';
import { LOCAL_SENDGRID_KEY } from '../../local-tenant/local-stack';
import type { LocalTenant } from '../../local-tenant/server';
import { hashPassword } from '../../local-tenant/state/passwords';
import { createDatabaseUser } from '../../local-tenant/state/users';
import { LOCAL_CLIENTS } from '../../local-tenant/local-stack';
import { searchCaughtUp, seedTenant, startTestTenant, trustingFetch } from '../../local-tenant/test/helpers';

jest.setTimeout(180_000);

const PENDING = 1_500;
/** Long enough that the first search page (a token request away) comes before the index sees the changes made after it caught up. */
const LAG_MS = 2_000;

async function tenantWithPendingUsers(profile: 'free' | 'essentials', pending: number) {
  const tenant = await startTestTenant({
    profile,
    sendgridApiKeys: [LOCAL_SENDGRID_KEY],
    timings: { searchIndexLagMs: LAG_MS, usersExportMs: 300 },
    // The scripts' own application, with exactly its grant (docs/scopes.md).
    machineClients: [LOCAL_CLIENTS.admin],
  });
  const { appClientId } = seedTenant(tenant);
  // Straight into the store (one password hash for all): 1,500 creations over HTTP would be the test.
  const passwordHash = hashPassword('Initial-password-123');
  const create = (email: string, invite: boolean) =>
    createDatabaseUser(
      tenant.store,
      { connection: 'members', email, password: 'Initial-password-123', app_metadata: { invite } },
      { passwordHash },
    ).user;
  for (let i = 0; i < pending; i++) create(`pending${i}@example.com`, true);
  for (let i = 0; i < 20; i++) create(`settled${i}@example.com`, false);
  const config = loadAdminConfig({
    environment: 'local',
    env: {
      AUTH0_DOMAIN: tenant.domain,
      INVITE_CLIENT_ID: appClientId,
      SENDGRID_BASE_URL: `${tenant.httpUrl}/sendgrid`,
    },
  });
  const management: AdminManagement = connectManagement({
    credentials: requireSettings(config, { m: config.management }).m,
    governor: new RateGovernor({ backoffMs: 50, concurrency: 16, burst: 16, ratePerSecond: 1_000 }),
    fetch: trustingFetch(tenant),
  });
  const { ticket, mail } = requireSettings(config, { ticket: config.invite.ticket, mail: config.mail });
  const direct: DirectInvitation = { ticket, mail, templates: config.invite.templates };
  return { tenant, management, direct };
}

describe('free tenant (no export job): windowed search', () => {
  let tenant: LocalTenant | undefined;
  afterEach(async () => {
    await tenant?.stop();
    tenant = undefined;
  });

  it(`lists each of ${PENDING.toLocaleString('en-US')} pending users once, past the 1,000 cap (dry run)`, async () => {
    const setup = await tenantWithPendingUsers('free', PENDING);
    tenant = setup.tenant;
    await searchCaughtUp(tenant);
    const listed: string[] = [];
    const started = Date.now();
    const summary = await resendToMatching(setup.management, {}, pendingInvitations(setup.management, 'members'), {
      kind: 'invitation',
      dryRun: true,
      onUser: (o) => listed.push(o.userId),
    });
    console.log(`resend --pending --dry-run, ${PENDING} users, windowed search: ${Date.now() - started} ms`);
    expect(summary).toMatchObject({ matched: PENDING, wouldSend: PENDING, failed: 0 });
    expect(new Set(listed).size).toBe(PENDING);
    const searches = tenant.requestLog.list().filter((r) => r.path === '/api/v2/users');
    expect(searches.length).toBeGreaterThanOrEqual(PENDING / 100);
    expect(searches.every((r) => r.status === 200)).toBe(true);
  });

  it('sends once to each pending user; a login or a deletion the index has not seen yet is caught by the read by id', async () => {
    const setup = await tenantWithPendingUsers('free', 40);
    tenant = setup.tenant;
    await searchCaughtUp(tenant);
    // After the index caught up: one pending user logs in, one is deleted. Search still lists both as pending.
    const loggedIn = tenant.store.data.users.find((u) => u.email === 'pending7@example.com')!;
    loggedIn.logins_count = 1;
    tenant.store.userChanged(loggedIn);
    const deleted = tenant.store.data.users.find((u) => u.email === 'pending8@example.com')!;
    tenant.store.removeUsers((u) => u === deleted);

    const sources: string[] = [];
    const outcomes: ResendOutcome[] = [];
    const summary = await resendToMatching(
      setup.management,
      { invitation: setup.direct },
      pendingInvitations(setup.management, 'members', { onSource: (s) => sources.push(s) }),
      { kind: 'invitation', onUser: (o) => outcomes.push(o) },
    );
    expect(sources).toEqual(['search']);
    expect(summary).toMatchObject({ matched: 40, sent: 38, skipped: 2, failed: 0, interrupted: false });
    expect(
      outcomes
        .filter((o) => o.status === 'skipped')
        .map((o) => [o.userId, o.reason])
        .sort(),
    ).toEqual(
      [
        [loggedIn.user_id, 'already_logged_in'],
        [deleted.user_id, 'no_longer_exists'],
      ].sort(),
    );
    // Exactly one email per pending user still pending, none to the others.
    const recipients = tenant.store.outbox.list({}).flatMap((e) => e.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toHaveLength(38);
    expect(recipients.some((to) => to.startsWith('settled') || to === 'pending7@example.com')).toBe(false);
  });
});

describe('tenant with exports', () => {
  let tenant: LocalTenant;
  afterAll(async () => tenant?.stop());

  it('lists the pending users of a connection with one export job (dry run)', async () => {
    const setup = await tenantWithPendingUsers('essentials', 1_200);
    tenant = setup.tenant;
    const sources: string[] = [];
    const started = Date.now();
    const summary = await resendToMatching(
      setup.management,
      {},
      pendingInvitations(setup.management, 'members', { pollMs: 100, onSource: (s) => sources.push(s) }),
      { kind: 'invitation', dryRun: true },
    );
    console.log(`export job listing 1,200 pending users (job 300 ms): ${Date.now() - started} ms`);
    expect(sources).toEqual(['export']);
    expect(summary).toMatchObject({ matched: 1_200, wouldSend: 1_200, failed: 0 });
    expect(tenant.store.outbox.size).toBe(0);
    // Created moments ago and already listed: the export reads the users, not the lagging index.
    expect(tenant.requestLog.list().filter((r) => r.path.startsWith('/api/v2/users'))).toEqual([]);
  });
});
