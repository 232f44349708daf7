import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagementClient } from 'auth0';
import type { LoginContext, LocalTenant, TenantHooks } from '../server';
import { managementClient, seedTenant, startTestTenant, trustingFetch } from './helpers';

let tenant: LocalTenant;
let mgmt: ManagementClient;
let appClientId: string;
const logins: LoginContext[] = [];
const created: string[] = [];
let denyReason: string | undefined;
/** What the stand-in post-challenge Action does: set a result URL, deny, or nothing. */
let postChallenge: { resultUrl?: string; deny?: string } = {};
const challenged: string[] = [];

const hooks: TenantHooks = {
  onPasswordResetChallenge(context) {
    challenged.push(`${context.user.user_id}@${context.client.client_id}`);
    if (postChallenge.deny !== undefined) return Promise.resolve({ allowed: false, reason: postChallenge.deny });
    return Promise.resolve(
      postChallenge.resultUrl !== undefined ? { allowed: true, resultUrl: postChallenge.resultUrl } : { allowed: true },
    );
  },
  onUserCreated(user, connection, context) {
    created.push(`${user.user_id}@${connection.name}:${context.via}`);
    return Promise.resolve();
  },
  onLogin(login) {
    logins.push(login);
    return Promise.resolve(denyReason ? { allowed: false, reason: denyReason } : { allowed: true });
  },
};

beforeAll(async () => {
  tenant = await startTestTenant({ hooks });
  ({ appClientId } = seedTenant(tenant));
  mgmt = managementClient(tenant);
});
afterAll(async () => tenant.stop());

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual',
});
const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'accept-language': 'fr-CA,fr;q=0.9' },
  body: JSON.stringify(body),
});
const ticketOf = (url: string): string => new URL(url).searchParams.get('ticket') ?? '';

describe('password-reset-post-challenge decides where a reset from the change-password email lands', () => {
  afterEach(() => (postChallenge = {}));

  async function resetLink(email: string): Promise<string> {
    await mgmt.users.create({ connection: 'members', email, password: 'Initial0!' });
    await fetch(`${tenant.httpUrl}/dbconnections/change_password`, json({ client_id: appClientId, connection: 'members', email }));
    const [mail] = tenant.store.outbox.list({ to: email });
    return /href="([^"]+)"/.exec(mail?.html ?? '')?.[1] ?? '';
  }

  test("setResultUrl's URL wins over the template's Redirect To and the login route; the trigger runs once", async () => {
    postChallenge = { resultUrl: 'http://localhost:3000/welcome?type=invite' };
    const link = await resetLink('landing@example.com');
    challenged.length = 0;
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(link)).status).toBe(200);
    const done = await fetch(
      `${tenant.httpUrl}/lo/reset`,
      form({ ticket: ticketOf(link), password: 'NewPassw0rd!', password_confirm: 'NewPassw0rd!' }),
    );
    expect(done.headers.get('location')).toBe('http://localhost:3000/welcome?type=invite');
    expect(challenged).toHaveLength(1);
  });

  test('api.access.deny stops the reset: no password is set', async () => {
    postChallenge = { deny: 'Resets are closed' };
    const link = await resetLink('denied@example.com');
    const opened = await fetch(link);
    expect(opened.status).toBe(403);
    expect(await opened.text()).toContain('Resets are closed');
    const posted = await fetch(
      `${tenant.httpUrl}/lo/reset`,
      form({ ticket: ticketOf(link), password: 'NewPassw0rd!', password_confirm: 'NewPassw0rd!' }),
    );
    expect(posted.status).toBe(403);
    const login = await fetch(
      `${tenant.httpUrl}/local/api/login`,
      json({ connection: 'members', username: 'denied@example.com', password: 'NewPassw0rd!', client_id: appClientId }),
    );
    expect(login.status).not.toBe(200);
  });

  test('a ticket without client_id runs no post-challenge Action (Auth0 needs the application)', async () => {
    postChallenge = { resultUrl: 'http://localhost:3000/never' };
    const user = await mgmt.users.create({ connection: 'members', email: 'noclient@example.com', password: 'Initial0!' });
    const { ticket } = await mgmt.tickets.changePassword({ user_id: user.user_id as string, result_url: 'http://localhost:3000/classic' });
    challenged.length = 0;
    const done = await fetch(
      `${tenant.httpUrl}/lo/reset`,
      form({ ticket: ticketOf(ticket), password: 'NewPassw0rd!', password_confirm: 'NewPassw0rd!' }),
    );
    expect(done.headers.get('location')).toBe('http://localhost:3000/classic');
    expect(challenged).toEqual([]);
  });
});

test('signup creates an unverified user, runs post-user-registration, refuses duplicates', async () => {
  const res = await fetch(
    `${tenant.httpUrl}/dbconnections/signup`,
    json({ client_id: appClientId, connection: 'members', email: 'self@example.com', password: 'Passw0rd!' }),
  );
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toEqual({ _id: expect.stringMatching(/^[0-9a-f]{24}$/), email: 'self@example.com', email_verified: false });
  // post-user-registration runs after the answer (asynchronously, as in Auth0).
  await tenant.deferred.settled();
  expect(created).toContain(`auth0|${String(body['_id'])}@members:signup`);
  const again = await fetch(
    `${tenant.httpUrl}/dbconnections/signup`,
    json({ client_id: appClientId, connection: 'members', email: 'self@example.com', password: 'Passw0rd!' }),
  );
  expect(again.status).toBe(400);
  expect(await again.json()).toEqual(expect.objectContaining({ code: 'user_exists', statusCode: 400 }));
});

test('change_password renders reset_email with Liquid into the outbox; the link sets a password and verifies the email', async () => {
  const user = await mgmt.users.create({
    connection: 'members',
    email: 'invitee@example.com',
    name: '<Eve>',
    password: 'Initial0!',
    app_metadata: { invite: true },
  });
  await tenant.deferred.settled();
  expect(created).toContain(`${user.user_id}@members:management-api`);
  const res = await fetch(
    `${tenant.httpUrl}/dbconnections/change_password`,
    json({ client_id: appClientId, connection: 'members', email: 'INVITEE@example.com' }),
  );
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("We've just sent you an email to reset your password.");
  const [email] = tenant.store.outbox.list({ to: 'invitee@example.com' });
  expect(email?.subject).toBe('You are invited');
  expect(email?.from).toBe('no-reply@example.com');
  expect(email?.html).toContain('Invited &lt;Eve&gt;');
  expect(email?.html).toContain('Web App members Acme Local');
  const link = /href="([^"]+)"/.exec(email?.html ?? '')?.[1] ?? '';
  expect(link).toMatch(new RegExp(`^${tenant.httpUrl}/lo/reset\\?ticket=.+#$`));

  const page = await fetch(link);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('invitee@example.com');
  const mismatch = await fetch(
    `${tenant.httpUrl}/lo/reset`,
    form({ ticket: ticketOf(link), password: 'NewPassw0rd!', password_confirm: 'other' }),
  );
  expect(mismatch.status).toBe(400);
  const done = await fetch(
    `${tenant.httpUrl}/lo/reset`,
    form({ ticket: ticketOf(link), password: 'NewPassw0rd!', password_confirm: 'NewPassw0rd!' }),
  );
  expect(done.status).toBe(302);
  // Universal Login ignores the template's Redirect To (http://localhost:3000/after-reset): the
  // application's login route, as no post-challenge Action chose otherwise.
  expect(done.headers.get('location')).toBe('http://localhost:3000/login');
  expect((await mgmt.users.get(user.user_id as string)).email_verified).toBe(true);
  const reused = await fetch(link);
  expect(reused.status).toBe(400);
  expect(await reused.text()).toContain('This URL can be used only once.');

  const login = await fetch(
    `${tenant.httpUrl}/local/api/login`,
    json({ connection: 'members', username: 'invitee@example.com', password: 'NewPassw0rd!', client_id: appClientId }),
  );
  expect(login.status).toBe(200);
  expect(await login.json()).toEqual({ user_id: user.user_id, logins_count: 1, email_verified: true });
});

test('change_password is refused on a connection with non-unique emails', async () => {
  const res = await fetch(
    `${tenant.httpUrl}/dbconnections/change_password`,
    json({ client_id: appClientId, connection: 'shared-inbox', email: 'x@example.com' }),
  );
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual(expect.objectContaining({ code: 'invalid_request', statusCode: 400 }));
});

test('login checks the password, counts logins, runs post-login with event-like data, honours deny', async () => {
  await mgmt.users.create({ connection: 'shared-inbox', email: 'home@example.com', username: 'carol', password: 'Passw0rd!' });
  const wrong = await fetch(`${tenant.httpUrl}/local/api/login`, json({ connection: 'shared-inbox', username: 'carol', password: 'bad' }));
  expect(wrong.status).toBe(403);
  expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'Wrong username or password.' });
  // The email is no identifier on a non-unique email connection.
  const byEmail = await fetch(
    `${tenant.httpUrl}/local/api/login`,
    json({ connection: 'shared-inbox', username: 'home@example.com', password: 'Passw0rd!' }),
  );
  expect(byEmail.status).toBe(403);

  logins.length = 0;
  const ok = await fetch(
    `${tenant.httpUrl}/local/api/login`,
    json({ connection: 'shared-inbox', username: 'carol', password: 'Passw0rd!', client_id: appClientId }),
  );
  expect(ok.status).toBe(200);
  expect(logins).toHaveLength(1);
  expect(logins[0]?.user.logins_count).toBe(1);
  expect(logins[0]?.client?.client_id).toBe(appClientId);
  expect(logins[0]?.request.language).toBe('fr-CA,fr;q=0.9');
  expect(logins[0]?.request.body).not.toHaveProperty('password');

  denyReason = 'blocked by test';
  const denied = await fetch(
    `${tenant.httpUrl}/local/api/login`,
    json({ connection: 'shared-inbox', username: 'carol', password: 'Passw0rd!' }),
  );
  denyReason = undefined;
  expect(denied.status).toBe(403);
  expect(await denied.json()).toEqual({ error: 'access_denied', error_description: 'blocked by test' });
});

test('the hosted reset-password request asks a shared-inbox user for the username and mails that account only', async () => {
  const ann = await mgmt.users.create({ connection: 'shared-inbox', email: 'flat@example.com', username: 'ann', password: 'Passw0rd!' });
  const ben = await mgmt.users.create({ connection: 'shared-inbox', email: 'flat@example.com', username: 'ben', password: 'Passw0rd!' });
  const url = `${tenant.httpUrl}/u/reset-password/request/shared-inbox?client_id=${appClientId}`;
  const page = await (await fetch(url)).text();
  expect(page).toContain('<label for="username">Username</label>');
  expect(await (await fetch(`${tenant.httpUrl}/u/reset-password/request/members`)).text()).toContain('<label for="username">Email</label>');
  expect(await (await fetch(`${tenant.httpUrl}/login?connection=shared-inbox&client_id=${appClientId}`)).text()).toContain(
    `/u/reset-password/request/shared-inbox?client_id=${appClientId}`,
  );

  // The same answer for the shared email (no identifier here), an unknown username and a real one.
  for (const identifier of ['flat@example.com', 'nobody', 'BEN']) {
    const res = await fetch(url, form({ username: identifier }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('for instructions to reset your password');
  }
  const emails = tenant.store.outbox.list({ to: 'flat@example.com' });
  expect(emails).toHaveLength(1);
  expect(emails[0]).toMatchObject({
    user_id: ben.user_id,
    subject: 'Reset your password',
    source: { kind: 'auth0', template: 'reset_email' },
  });
  const link = /href="([^"]+)"/.exec(emails[0]?.html ?? '')?.[1] ?? '';
  expect(await (await fetch(link)).text()).toContain('ben (flat@example.com)');
  expect(ann.user_id).not.toBe(ben.user_id);

  expect((await fetch(url, form({ username: '' }))).status).toBe(400);
  expect((await fetch(`${tenant.httpUrl}/u/reset-password/request/nowhere`)).status).toBe(400);
});

test('login page asks for the identifier the connection uses and posts a form login', async () => {
  const members = await (await fetch(`${tenant.httpUrl}/login?connection=members`)).text();
  expect(members).toContain('>Email</label>');
  const shared = await (await fetch(`${tenant.httpUrl}/login?connection=shared-inbox&client_id=${appClientId}`)).text();
  expect(shared).toContain('>Username</label>');
  const res = await fetch(
    `${tenant.httpUrl}/local/login`,
    form({
      connection: 'shared-inbox',
      identifier: 'carol',
      password: 'Passw0rd!',
      client_id: appClientId,
      redirect_uri: 'http://localhost:3000/callback',
    }),
  );
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('http://localhost:3000/callback');
  const bad = await fetch(`${tenant.httpUrl}/local/login`, form({ connection: 'shared-inbox', identifier: 'carol', password: 'nope' }));
  expect(bad.status).toBe(401);
  expect(await bad.text()).toContain('Wrong username or password.');
});

test('email-verification ticket page verifies and redirects with success=true', async () => {
  const user = await mgmt.users.create({ connection: 'members', email: 'verify-me@example.com', password: 'Passw0rd!' });
  const { ticket } = await mgmt.tickets.verifyEmail({
    user_id: user.user_id as string,
    result_url: 'http://localhost:3000/verified?from=mail',
    includeEmailInRedirect: false,
  });
  const res = await fetch(ticket, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe('http://localhost:3000/verified');
  expect(location.searchParams.get('success')).toBe('true');
  expect(location.searchParams.get('from')).toBe('mail');
  expect(location.searchParams.has('email')).toBe(false);
  expect((await mgmt.users.get(user.user_id as string)).email_verified).toBe(true);
  const again = await fetch(ticket, { redirect: 'manual' });
  expect(new URL(again.headers.get('location') ?? '').searchParams.get('success')).toBe('false');
});

test('pages escape user-controlled values', async () => {
  const markup = '<script>alert(1)</script>';
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
  await mgmt.users.create({
    connection: 'shared-inbox',
    email: 'xss@example.com',
    username: 'mallory',
    password: 'Passw0rd!',
    name: markup,
    app_metadata: { note: markup },
  });
  // The login page echoes its query's redirect_uri and ui_locales into the form's hidden fields.
  const query = new URLSearchParams({ connection: 'shared-inbox', redirect_uri: `"><script>alert(1)</script>`, ui_locales: markup });
  const login = await (await fetch(`${tenant.httpUrl}/login?${query.toString()}`)).text();
  expect(login).toContain(`value="&quot;&gt;${escaped}"`);
  expect(login).toContain(`value="${escaped}"`);
  expect(login).not.toContain(markup);
  // The outbox page shows each user with its app_metadata.
  const outbox = await (await fetch(`${tenant.httpUrl}/outbox`)).text();
  expect(outbox).toContain('mallory');
  expect(outbox).toContain(escaped);
  expect(outbox).not.toContain(markup);
});

test('faults: the next N calls of a route fail as asked, then it recovers; the request log has no bodies', async () => {
  const f = trustingFetch(tenant);
  await fetch(
    `${tenant.httpUrl}/__local/faults`,
    json({ route: 'POST /api/v2/tickets/password-change', kind: '429', times: 1, retryAfter: 3 }),
  );
  await fetch(`${tenant.httpUrl}/__local/faults`, json({ route: 'GET /api/v2/users/*', kind: 'malformed', times: 1 }));
  const user = await mgmt.users.create({ connection: 'members', email: 'faulty@example.com', password: 'Passw0rd!' });

  const limited = await f(`${tenant.httpsUrl}/api/v2/tickets/password-change`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toBe('3');
  expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
  expect(await limited.json()).toEqual(expect.objectContaining({ statusCode: 429, errorCode: 'too_many_requests' }));

  // Measured: auth0 v7 does not throw on a malformed 200 body; it resolves with a parse-failure
  // object instead of the user. Code reading a ticket or a user must check the fields it needs.
  const malformed = (await mgmt.users.get(user.user_id as string)) as unknown as Record<string, unknown>;
  expect(malformed).toEqual({ ok: false, error: expect.objectContaining({ reason: 'non-json', statusCode: 200 }) });
  expect((await mgmt.users.get(user.user_id as string)).email).toBe('faulty@example.com');

  await fetch(`${tenant.httpUrl}/__local/faults`, json({ route: 'POST /api/v2/tickets/*', kind: 'hang', times: 1, hangMs: 200 }));
  const started = Date.now();
  const hung = await f(`${tenant.httpsUrl}/api/v2/tickets/password-change`, { method: 'POST', body: '{}' });
  expect(hung.status).toBe(504);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190);

  await fetch(`${tenant.httpUrl}/__local/faults`, json({ route: 'GET /api/v2/users', kind: 'reset', times: 1 }));
  await expect(f(`${tenant.httpsUrl}/api/v2/users`)).rejects.toThrow();

  const log = (await (await fetch(`${tenant.httpUrl}/__local/requests`)).json()) as Array<Record<string, unknown>>;
  expect(log.some((r) => r['path'] === '/api/v2/tickets/password-change' && r['status'] === 429)).toBe(true);
  expect(Object.keys(log[0] ?? {}).sort()).toEqual(['at', 'duration_ms', 'method', 'path', 'status']);
  expect(JSON.stringify(log)).not.toContain('Passw0rd');
  expect((await fetch(`${tenant.httpUrl}/__local/requests`, { method: 'DELETE' })).status).toBe(204);
});

test('rate limits (off by default) follow the free tier when switched on', async () => {
  const f = trustingFetch(tenant);
  const token = (await (
    await f(
      `${tenant.httpsUrl}/oauth/token`,
      json({ grant_type: 'client_credentials', client_id: 'local-deploy-client', client_secret: 'local-deploy-secret-0123456789' }),
    )
  ).json()) as { access_token: string };
  await fetch(`${tenant.httpUrl}/__local/rate-limits`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tier: 'free' }),
  });
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 3; i++) {
    last = await f(`${tenant.httpsUrl}/api/v2/users`, { headers: { authorization: `Bearer ${token.access_token}` } });
    statuses.push(last.status);
  }
  await fetch(`${tenant.httpUrl}/__local/rate-limits`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tier: null }),
  });
  expect(statuses).toEqual([200, 200, 429]);
  expect(last?.headers.get('x-ratelimit-limit')).toBe('2');
  expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
});

test('--data keeps the state across restarts, written atomically', async () => {
  const dataFile = join(mkdtempSync(join(tmpdir(), 'local-tenant-data-')), 'tenant.json');
  const first = await startTestTenant({ dataFile });
  seedTenant(first);
  const m1 = managementClient(first);
  const user = await m1.users.create({ connection: 'members', email: 'persist@example.com', password: 'Passw0rd!' });
  await first.stop();
  const onDisk = readFileSync(dataFile, 'utf8');
  expect(onDisk).not.toContain('Passw0rd!');
  const second = await startTestTenant({ dataFile });
  try {
    const again = await managementClient(second).users.get(user.user_id as string);
    expect(again.email).toBe('persist@example.com');
  } finally {
    await second.stop();
  }
});
