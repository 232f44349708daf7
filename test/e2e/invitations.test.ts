/**
 * `npm run invitations` end to end, in process, against the local tenant with the Actions of
 * dist/tenant installed (run `npm run build` first): 30 users invited, some accept (set their
 * password from the email's link, then log in: post-login records the acceptance), some links
 * expire (the invitation Action's tickets live 2 s here), one is revoked; those invited from the
 * script are given roles at creation (`--roles`); `list` shows each in its state; `resend
 * --expired` sends exactly the expired ones once, and a second run none.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CLIENTS } from '../../local-tenant/local-stack';
import type { OutboxEmail } from '../../local-tenant/mail';
import { searchCaughtUp } from '../../local-tenant/test/helpers';
import { runInProcess } from '../support/command-runs';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';
import { linksOf } from '../support/local-stack-client';

jest.setTimeout(60_000);

/** The invitation Action's ticket lifetime here: short, so that its links expire within the test. */
const SHORT_TTL_SEC = 2;
const PASSWORD = 'Accepted-password-123';

let stack: InstalledStack;
const work = mkdtempSync(join(tmpdir(), 'invitations-'));

beforeAll(async () => {
  stack = await startInstalledStack({ secrets: { INVITE_MODE: 'ticket', INVITE_TTL_SEC: String(SHORT_TTL_SEC) } });
});
afterAll(async () => stack?.stop());

function run(args: string[]) {
  const [script, ...rest] = args;
  return runInProcess(script!, rest, {
    cwd: work,
    env: {
      AUTH0_DOMAIN: stack.tenant.domain,
      LOCAL_TENANT_CA_CERT: stack.tenant.caCertPath,
      ADMIN_CLIENT_ID: LOCAL_CLIENTS.admin.client_id,
      ADMIN_CLIENT_SECRET: LOCAL_CLIENTS.admin.client_secret,
    },
  });
}

function csv(name: string, emails: string[]): string {
  const path = join(work, name);
  writeFileSync(path, ['email,connection', ...emails.map((email) => `${email},members`)].join('\n'));
  return path;
}

const invitationsTo = (email: string): OutboxEmail[] => stack.emailsTo(email).filter((e) => e.categories.includes('invitation'));
const userOf = (email: string) => stack.tenant.store.data.users.find((u) => u.email === email)!;

describe('invitations: list, resend --expired, revoke', () => {
  // Invited by the Action (2 s links): these expire.
  const expiring = Array.from({ length: 15 }, (_, i) => `expiring${i}@example.com`);
  // Invited from the script (7-day links): 8 accept, 1 is revoked, 6 stay pending.
  const lasting = Array.from({ length: 15 }, (_, i) => `lasting${i}@example.com`);
  const accepting = lasting.slice(0, 8);
  const revoked = lasting[8]!;
  const pending = lasting.slice(9);

  it('invites 30, records each invitation, and shows each state with its count', async () => {
    // The Action's records are awaited here rather than by the command's confirmation (its first look comes 2 s in).
    const short = await run([
      'invite',
      '--csv',
      csv('expiring.csv', expiring),
      '--invited-by',
      'Grace Hopper',
      '--no-confirm',
      '--progress',
      'none',
    ]);
    expect(short.code).toBe(0);
    await stack.client.registrationsDone();
    const sentShort = Date.now();
    // --roles: each user the run creates gets them before its invitation (made in the store: our code never creates roles).
    const member = stack.tenant.store.createRole('member', 'Invited member');
    const reader = stack.tenant.store.createRole('reader', 'Reads');
    const long = await run([
      'invite',
      '--csv',
      csv('lasting.csv', lasting),
      '--direct',
      '--invited-by',
      'Ada',
      '--roles',
      `${member.id},${reader.id}`,
      '--progress',
      'none',
    ]);
    expect(long.code).toBe(0);
    for (const email of lasting) expect(stack.tenant.store.rolesOf(userOf(email).user_id).map((r) => r.name)).toEqual(['member', 'reader']);
    for (const email of expiring) expect(stack.tenant.store.rolesOf(userOf(email).user_id)).toEqual([]);
    for (const email of [...expiring, ...lasting]) expect(invitationsTo(email)).toHaveLength(1);

    // The record: who invited (named in the email), when it was sent and when its link expires.
    const record = userOf(expiring[0]!).app_metadata.invitation as Record<string, string>;
    expect(record).toMatchObject({ via: 'ticket', by: 'Grace Hopper' });
    expect(Date.parse(record.expires!) - Date.parse(record.sent!)).toBe(SHORT_TTL_SEC * 1000);
    const email = invitationsTo(expiring[0]!)[0]!;
    expect(email.source.kind === 'sendgrid' && email.source.dynamicTemplateData).toMatchObject({
      invited_by: 'Grace Hopper',
      expires_at: record.expires,
    });

    // 8 accept: the link sets the password, the login that follows accepts the invitation.
    await Promise.all(
      accepting.map(async (address) => {
        const link = linksOf(invitationsTo(address)[0]!.html).find((href) => href.includes('ticket='))!;
        expect((await stack.client.setPassword(link, PASSWORD)).status).toBeLessThan(400);
        expect((await stack.client.login('members', address, PASSWORD)).status).toBe(200);
      }),
    );
    const revoking = await run(['invitations', 'revoke', '--email', revoked, '--connection', 'members', '--how', 'block']);
    expect(revoking.code).toBe(0);
    expect(revoking.stdout).toMatch(/invitation revoked \(was pending\): the account is blocked/);
    expect(userOf(revoked).blocked).toBe(true);

    // The Action's links expire; the script's do not.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentShort + SHORT_TTL_SEC * 1000 + 100 - Date.now())));
    // An expired link says so, and where to get a new one.
    const expiredLink = linksOf(invitationsTo(expiring[0]!)[0]!.html).find((href) => href.includes('ticket='))!;
    const expiredPage = await fetch(expiredLink);
    expect(expiredPage.status).toBe(400);
    const expiredText = await expiredPage.text();
    expect(expiredText).toContain('Access expired.');
    expect(expiredText).toMatch(/href="\/u\/reset-password\/request\/members\?client_id=[^"]+">ask for a new link<\/a>/);

    await searchCaughtUp(stack.tenant);
    const listed = await run(['invitations', 'list', '--format', 'json']);
    expect(listed.code).toBe(0);
    const { counts, invitations } = JSON.parse(listed.stdout) as {
      counts: Record<string, number>;
      invitations: { state: string; user_id: string }[];
    };
    expect(counts).toEqual({ pending: 6, accepted: 8, expired: 15, revoked: 1 });
    const stateOf = new Map(invitations.map((i) => [i.user_id, i.state]));
    for (const address of expiring) expect(stateOf.get(userOf(address).user_id)).toBe('expired');
    for (const address of accepting) expect(stateOf.get(userOf(address).user_id)).toBe('accepted');
    for (const address of pending) expect(stateOf.get(userOf(address).user_id)).toBe('pending');
    expect(stateOf.get(userOf(revoked).user_id)).toBe('revoked');
    // The revoked account cannot log in with its link's password.
    expect((await stack.client.login('members', revoked, PASSWORD)).status).not.toBe(200);

    const expiredOnly = await run(['invitations', 'list', '--status', 'expired', '--format', 'csv']);
    expect(expiredOnly.stdout.trim().split('\n')).toHaveLength(1 + 15);
    expect(expiredOnly.stdout).not.toContain('@example.com');
  });

  it('resend --expired sends exactly the expired ones once; a second run sends none', async () => {
    const first = await run(['invitations', 'resend', '--expired', '--window', '1s', '--report', join(work, 'resend-1.jsonl')]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('15 expired invitations: 15 sent again, 0 skipped, 0 failed.');
    for (const address of expiring) expect(invitationsTo(address)).toHaveLength(2);
    for (const address of lasting) expect(invitationsTo(address)).toHaveLength(1);
    // Resent from the script, with its 7-day links: pending again, by the same inviter.
    const record = userOf(expiring[3]!).app_metadata.invitation as Record<string, string>;
    expect(record).toMatchObject({ by: 'Grace Hopper', via: 'ticket' });
    expect(Date.parse(record.expires!)).toBeGreaterThan(Date.now() + 86_400_000);

    await searchCaughtUp(stack.tenant);
    const second = await run(['invitations', 'resend', '--expired', '--window', '1s', '--report', join(work, 'resend-2.jsonl')]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('0 expired invitations: 0 sent again');
    // Asked for pending ones instead: all were sent within the hour, so none goes out again.
    const pendingRun = await run(['invitations', 'resend', '--pending', '--report', join(work, 'resend-3.jsonl')]);
    expect(pendingRun.code).toBe(0);
    expect(pendingRun.stdout).toContain('21 pending invitations: 0 sent again, 21 skipped, 0 failed.');
    for (const address of expiring) expect(invitationsTo(address)).toHaveLength(2);

    const listed = await run(['invitations', 'list', '--format', 'json']);
    expect((JSON.parse(listed.stdout) as { counts: unknown }).counts).toEqual({ pending: 21, accepted: 8, expired: 0, revoked: 1 });
  });

  it('refuses a revoke without --how, or by delete of an account in use, and says why', async () => {
    const noHow = await run(['invitations', 'revoke', '--email', pending[0]!, '--connection', 'members']);
    expect(noHow.code).toBe(2);
    expect(noHow.stderr).toMatch(/--how block/);
    const inUse = await run(['invitations', 'revoke', '--email', accepting[0]!, '--connection', 'members', '--how', 'delete']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/has logged in 1 times: deleting would delete an account in use/);
    const deleted = await run(['invitations', 'revoke', '--email', pending[0]!, '--connection', 'members', '--how', 'delete']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/never logged in, is deleted/);
    expect(stack.tenant.store.data.users.some((u) => u.email === pending[0])).toBe(false);
    const bad = await run(['invitations', 'list', '--status', 'lost']);
    expect(bad.code).toBe(2);
  });
});
