/**
 * No email address, token, ticket or secret in a log line. The built Actions run every flow in
 * the local tenant (invitations in both modes, verification, welcome), successes and failures
 * (Auth0 and SendGrid errors, malformed answers, resets, missing secrets), and every line they
 * log is checked against what they handled: the users' addresses, the Management API tokens
 * (the local tenant issues `local.<random>`), the tickets, and the secrets they were given.
 */
import { LOCAL_APP, LOCAL_CLIENTS, LOCAL_SENDGRID_KEY } from '../../local-tenant/local-stack';
import type { FaultRule } from '../../local-tenant/faults';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';

jest.setTimeout(60_000);

const PASSWORD = 'correct-horse-battery-9';
const EMAIL_PATTERN = /[^\s@"'<>]+@[^\s@"'<>]+\.[a-z]{2,}/i;
const stacks: InstalledStack[] = [];

// One tenant at a time: each Actions runtime routes the Action traffic of the whole process.
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
});

async function stackWith(secrets: Record<string, string> = {}): Promise<InstalledStack> {
  const stack = await startInstalledStack({ secrets: { INVITE_CONNECTIONS: 'members,shared-inbox:ticket', ...secrets } });
  stacks.push(stack);
  return stack;
}

/** Runs one user through invitation (by connection), then a login before and after verification. */
async function runFlows(stack: InstalledStack, tag: string, faults: FaultRule[] = []): Promise<string[]> {
  const member = `log-${tag}-member@example.com`;
  const shared = `log-${tag}-family@example.com`;
  for (const fault of faults) stack.tenant.faults.add(fault);
  const invited = await stack.client.management.users.create({ connection: 'members', email: member, password: PASSWORD });
  await stack.client.management.users.create({ connection: 'shared-inbox', email: shared, username: `kid${tag}`, password: PASSWORD });
  const signup = await stack.client.management.users.create({
    connection: 'members',
    email: `log-${tag}-self@example.com`,
    password: PASSWORD,
    app_metadata: { invite: false },
  });
  // post-user-registration runs after the 201s (as on Auth0): let the invitations meet their faults
  // before the logins do, so that each run takes the same path.
  await stack.client.registrationsDone();
  for (let i = 0; i < 2; i++)
    await stack.client.login('members', `log-${tag}-self@example.com`, PASSWORD, { client_id: LOCAL_APP.client_id });
  await stack.client.management.users.update(signup.user_id!, { email_verified: true });
  await stack.client.management.users.update(invited.user_id!, { email_verified: true });
  await stack.client.login('members', `log-${tag}-self@example.com`, PASSWORD, { client_id: LOCAL_APP.client_id });
  await stack.client.login('members', member, PASSWORD, { client_id: LOCAL_APP.client_id });
  stack.tenant.faults.clear();
  return [member, shared, `log-${tag}-self@example.com`];
}

function forbiddenIn(stack: InstalledStack, addresses: readonly string[]): Map<string, string> {
  const forbidden = new Map<string, string>();
  for (const address of addresses) forbidden.set(address, 'an email address');
  forbidden.set(LOCAL_CLIENTS.actions.client_secret, 'AUTH0_CLIENT_SECRET');
  forbidden.set(LOCAL_CLIENTS.admin.client_secret, 'ADMIN_CLIENT_SECRET');
  forbidden.set(LOCAL_SENDGRID_KEY, 'SENDGRID_API_KEY');
  for (const ticket of stack.tenant.store.data.tickets) forbidden.set(ticket.id, 'a ticket');
  return forbidden;
}

function problems(lines: readonly string[], forbidden: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const line of lines) {
    if (EMAIL_PATTERN.test(line)) found.push(`address in: ${line}`);
    if (/local\.[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{10,}|ticket=|SG\.[A-Za-z0-9_-]{6,}/.test(line))
      found.push(`token or ticket in: ${line}`);
    for (const [value, what] of forbidden) if (line.includes(value)) found.push(`${what} in: ${line}`);
    if (line.length > 256) found.push(`line of ${line.length} characters`);
  }
  return found;
}

it('successful flows log outcomes by user id only', async () => {
  const stack = await stackWith();
  const addresses = await runFlows(stack, 'ok');
  const lines = stack.actionLogs();
  // The flows did happen: invitations in both modes, a verification and two welcome emails.
  expect(lines.filter((l) => / invited mode=/.test(l))).toHaveLength(2);
  expect(lines.filter((l) => /verification_sent/.test(l))).toHaveLength(1);
  expect(lines.filter((l) => /welcome_sent/.test(l))).toHaveLength(2);
  expect(problems(lines, forbiddenIn(stack, addresses))).toEqual([]);
});

it('failures (HTTP errors with bodies, malformed answers, resets) log reason codes only', async () => {
  const stack = await stackWith();
  // Each fault meets a call that is not asked again (the invitation's ticket is retried within its
  // budget, the verification ticket is not): the members invitation, the shared-inbox invitation's
  // send, the first two verification tickets, then the next send (the first welcome).
  const addresses = await runFlows(stack, 'fail', [
    { route: 'POST /dbconnections/change_password', kind: '500', times: 1 },
    { route: 'POST /v3/mail/send', kind: '429', times: 1, retryAfter: 5 },
    { route: 'POST /api/v2/tickets/email-verification', kind: 'malformed', times: 1 },
    { route: 'POST /api/v2/tickets/email-verification', kind: 'reset', times: 1 },
    { route: 'POST /v3/mail/send', kind: '503', times: 1 },
  ]);
  const failures = stack.actionLogs().filter((l) => /_failed /.test(l));
  for (const reason of [
    /invite_failed change_password_http_500/,
    /invite_failed sendgrid_http_429/,
    /_failed \S*malformed/,
    /_failed \S*network/,
    /welcome_failed sendgrid_http_503/,
  ])
    expect(failures.filter((l) => reason.test(l))).toHaveLength(1);
  expect(problems(stack.actionLogs(), forbiddenIn(stack, addresses))).toEqual([]);
});

it('a SendGrid 400 that quotes the address, and a 401, are logged without it', async () => {
  // SendGrid's 400 body names the offending address; its 401 answers a wrong key.
  const stack = await stackWith({ MAIL_FROM: 'not an address', SENDGRID_API_KEY: 'SG.wrong-key-0123456789' });
  const addresses = await runFlows(stack, 'sg');
  const lines = stack.actionLogs();
  expect(lines.some((l) => /sendgrid_http_40[01]/.test(l))).toBe(true);
  const forbidden = forbiddenIn(stack, addresses);
  forbidden.set('SG.wrong-key-0123456789', 'SENDGRID_API_KEY');
  expect(problems(lines, forbidden)).toEqual([]);
});

it('missing and malformed secrets are named, never their values', async () => {
  const stack = await stackWith({
    AUTH0_CLIENT_SECRET: '',
    TEMPLATE_IDS: '{"welcome": "d-not-an-object secret-ish-value-123"}',
    VERIFY_TTL_SEC: 'secret-ish-ttl-456',
  });
  const addresses = await runFlows(stack, 'cfg');
  const lines = stack.actionLogs();
  expect(lines.some((l) => /missing_secret=AUTH0_CLIENT_SECRET/.test(l))).toBe(true);
  expect(lines.some((l) => /setting_ignored TEMPLATE_IDS invalid/.test(l))).toBe(true);
  const forbidden = forbiddenIn(stack, addresses);
  forbidden.set('secret-ish-value-123', 'a TEMPLATE_IDS value');
  forbidden.set('secret-ish-ttl-456', 'a VERIFY_TTL_SEC value');
  expect(problems(lines, forbidden)).toEqual([]);
});
