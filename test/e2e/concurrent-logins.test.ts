/**
 * Two logins of one user at once, as Auth0 runs them: both post-login executions read the user
 * before either writes `verification_email_sent` (metadata is written when each flow ends), so
 * only verify-and-welcome's `api.cache` claim keeps the second email from going out. The built
 * Action runs in the local tenant (installed straight from dist/tenant), its calls to the tenant
 * and to SendGrid taking the profile's realistic 20 ms each, as over Auth0's network.
 *
 * With one shared cache (executions on one Auth0 instance) no user gets two emails; with an empty
 * cache per execution (executions on different instances, where Auth0 shares no cache) some do:
 * the claim is what makes the difference, and the race is real.
 */
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';

jest.setTimeout(60_000);

/** Users logged in twice at once per run; well under api.cache's 20 entries, so every claim is stored. */
const USERS = 8;
const PASSWORD = 'Concurrent-logins-9';

interface Measured {
  /** Emails each user received from the two logins. */
  sent: number[];
  /** Logins that found the other login's claim and sent nothing. */
  inFlight: number;
}

async function loginEveryUserTwiceAtOnce(cacheScope: 'trigger' | 'execution'): Promise<Measured> {
  const stack: InstalledStack = await startInstalledStack({ cacheScope, timings: { actionNetworkLatencyMs: 20 } });
  try {
    const emails = Array.from({ length: USERS }, (_, i) => `twice-${cacheScope}-${i}@example.com`);
    for (const email of emails) {
      await stack.client.management.users.create({ connection: 'members', email, password: PASSWORD, verify_email: false });
    }
    await stack.client.registrationsDone();
    const before = emails.map((email) => stack.emailsTo(email).length);
    const logins = await Promise.all(
      emails.flatMap((email) => [stack.client.login('members', email, PASSWORD), stack.client.login('members', email, PASSWORD)]),
    );
    expect(logins.map((l) => l.status)).toEqual(logins.map(() => 200));
    const sent = emails.map((email, i) => stack.emailsTo(email).length - (before[i] ?? 0));
    const inFlight = stack.actionLogs().filter((line) => line.endsWith('verification_skipped in_flight')).length;
    console.log(`two logins at once, cache per ${cacheScope}: emails per user ${sent.join(' ')}, in_flight skips ${inFlight}`);
    return { sent, inFlight };
  } finally {
    await stack.stop();
  }
}

test('one api.cache for the trigger: the second login finds the claim and no user gets two verification emails', async () => {
  const { sent, inFlight } = await loginEveryUserTwiceAtOnce('trigger');
  expect(sent).toEqual(sent.map(() => 1));
  // The logins did overlap: at least one second execution saw the flag unset and stopped at the claim.
  expect(inFlight).toBeGreaterThan(0);
});

test('an empty api.cache per execution (different Auth0 instances): the same logins send a second email', async () => {
  const { sent } = await loginEveryUserTwiceAtOnce('execution');
  expect(sent.every((n) => n === 1 || n === 2)).toBe(true);
  expect(sent.filter((n) => n === 2).length).toBeGreaterThan(0);
});
