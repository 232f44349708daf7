/**
 * The local tenant against real Auth0 and SendGrid: for every endpoint the project calls
 * (used-endpoints.ts), the stand-in's answer (status, field names and types, error body,
 * headers) is checked against the shape of a real answer taken from public recordings
 * (recorded-shapes.ts, each shape citing its recording). One local tenant, requests over HTTPS
 * as our code and deploy-cli make them; prints the coverage and fails on any difference.
 */
import type { LocalTenant } from '../../local-tenant/server';
import { BOOTSTRAP, seedTenant, startTestTenant, tokenFor, trustingFetch } from '../../local-tenant/test/helpers';
import { managementAudience } from '../../local-tenant/authentication-api/access-tokens';
import { INSUFFICIENT_SCOPE, RATE_LIMIT_HEADERS, RATE_LIMITED, RECORDED_SHAPES } from './recorded-shapes';
import { mismatches, type ExpectedAnswer } from './shape-kit';
import { KNOWN_DIFFERENCES, knownDifference } from './known-differences';
import { SERVED_ENDPOINTS, USED_ENDPOINTS } from './used-endpoints';

const SENDGRID_KEY = 'SG.conformance-key';
/** Rate-limit headers come with every Management API answer, so the suite runs with a limit it never reaches. */
const UNREACHED_LIMIT = { burst: 100_000, perSecond: 100_000 };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

let tenant: LocalTenant;
let http: typeof fetch;
let token: string;
/** The stand-in's answer to each probe, by `endpoint` and case name. */
const answers = new Map<string, Answer>();
const probeKey = (endpoint: string, name: string) => `${endpoint} | ${name}`;
let rateLimited: Answer | undefined;
/** An answer of a bucket of 4 tokens, 3 of them just taken, refilling one in 10 s; and when it came. */
let partlySpent: { answer: Answer; at: number } | undefined;
let insufficientScope: Answer | undefined;
let probesMs = 0;

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await http(`${tenant.httpsUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A Management API request as the SDK sends it (bearer token), its answer kept for the endpoint's case. */
async function probe(endpoint: string, name: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
  const method = endpoint.split(' ')[0] ?? 'GET';
  const auth: Record<string, string> = path.startsWith('/api/v2/') ? { authorization: `Bearer ${token}` } : {};
  const answer = await send(method, path, body, { ...auth, ...headers });
  answers.set(probeKey(endpoint, name), answer);
  return answer;
}

const json = <T>(answer: Answer): T => JSON.parse(answer.text) as T;

/** Two machine-to-machine applications added as the Dashboard adds them: one to be granted scopes, one never granted any. */
const SCRIPTS_APP = { client_id: 'conformance-scripts', client_secret: 'conformance-scripts-secret' };
const UNGRANTED_APP = { client_id: 'conformance-ungranted', client_secret: 'conformance-ungranted-secret' };

/** Client grants and scopes: a grant made and changed over the API, the token it yields, a call outside its scopes. */
async function probeScopes(): Promise<void> {
  for (const app of [SCRIPTS_APP, UNGRANTED_APP]) {
    tenant.store.add('clients', { ...app, name: app.client_id, app_type: 'non_interactive', grant_types: ['client_credentials'] });
  }
  const audience = managementAudience(tenant.domain);
  const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;
  const created = await probe('POST /api/v2/client-grants', 'created', '/api/v2/client-grants', {
    client_id: SCRIPTS_APP.client_id,
    audience,
    scope: ['read:users'],
  });
  const grantId = json<{ id: string }>(created).id;
  // The Actions' scopes (docs/scopes.md): no read:users.
  await probe('PATCH /api/v2/client-grants/{id}', 'updated', `/api/v2/client-grants/${grantId}`, {
    scope: ['create:user_tickets', 'update:users_app_metadata'],
  });
  await probe('GET /api/v2/client-grants', 'checkpoint page', `/api/v2/client-grants${q({ include_totals: 'true', take: '50' })}`);
  await probe(
    'GET /api/v2/client-grants',
    'page',
    `/api/v2/client-grants${q({ include_totals: 'true', page: '0', per_page: '50', client_id: SCRIPTS_APP.client_id })}`,
  );
  const tokenRequest = (app: typeof SCRIPTS_APP) => ({ grant_type: 'client_credentials', ...app, audience: `${tenant.httpsUrl}/api/v2/` });
  const granted = await probe('POST /oauth/token', 'client credentials with scopes', '/oauth/token', tokenRequest(SCRIPTS_APP));
  await probe('POST /oauth/token', 'no client grant', '/oauth/token', tokenRequest(UNGRANTED_APP));
  // A user search (read:users) with the Actions' scopes.
  const narrow = json<{ access_token: string }>(granted).access_token;
  insufficientScope = await send('GET', `/api/v2/users${q({ q: 'email:"a@example.com"', search_engine: 'v3' })}`, undefined, {
    authorization: `Bearer ${narrow}`,
  });
}

/** Runs every probe once, in an order that creates what the later ones read. */
async function probeEverything(): Promise<void> {
  const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;
  const tokenRequest = { grant_type: 'client_credentials', ...BOOTSTRAP, audience: `${tenant.httpsUrl}/api/v2/` };
  await probe('POST /oauth/token', 'client credentials', '/oauth/token', tokenRequest);
  await probe('POST /oauth/token', 'wrong secret', '/oauth/token', { ...tokenRequest, client_secret: 'not-the-secret' });

  // The email provider, before seedTenant configures one.
  const provider = 'GET /api/v2/emails/provider';
  const providerFields = q({ fields: 'name,enabled,credentials,settings,default_from_address', include_fields: 'true' });
  await probe(provider, 'none configured', `/api/v2/emails/provider${providerFields}`);
  const sendgridProvider = {
    name: 'sendgrid',
    enabled: true,
    default_from_address: 'no-reply@example.com',
    credentials: { api_key: 'SG.x' },
  };
  await probe('POST /api/v2/emails/provider', 'created', '/api/v2/emails/provider', sendgridProvider);
  await probe(provider, 'configured', `/api/v2/emails/provider${providerFields}`);
  await probe('PATCH /api/v2/emails/provider', 'updated', '/api/v2/emails/provider', sendgridProvider);
  const { appClientId } = seedTenant(tenant);

  // Users.
  const email = 'conformance-1@example.com';
  const newUser = { connection: 'members', email, password: 'Conformance-Passw0rd!', app_metadata: { invited: true } };
  const created = await probe('POST /api/v2/users', 'created', '/api/v2/users', newUser);
  const userId = json<{ user_id: string }>(created).user_id;
  await probe('POST /api/v2/users', 'user exists', '/api/v2/users', newUser);
  // The members connection's policy is `fair` (seedTenant): eight characters of three kinds.
  await probe('POST /api/v2/users', 'password too weak', '/api/v2/users', {
    ...newUser,
    email: 'conformance-weak@example.com',
    password: 'weak',
  });
  const userPath = `/api/v2/users/${encodeURIComponent(userId)}`;
  await probe('GET /api/v2/users/{id}', 'found', userPath);
  await probe('GET /api/v2/users/{id}', 'not found', `/api/v2/users/${encodeURIComponent('auth0|0000000000000000000000ff')}`);
  await probe('PATCH /api/v2/users/{id}', 'updated', userPath, { app_metadata: { invitation_email_sent: new Date().toISOString() } });
  // A user deleted as `npm run invitations -- revoke --how delete` deletes one that never logged in.
  const doomed = await send(
    'POST',
    '/api/v2/users',
    { ...newUser, email: 'conformance-revoked@example.com' },
    { authorization: `Bearer ${token}` },
  );
  await probe('DELETE /api/v2/users/{id}', 'deleted', `/api/v2/users/${encodeURIComponent(json<{ user_id: string }>(doomed).user_id)}`);
  // Roles, as `npm run invite -- --roles` gives them (the role made in the store: our code never creates roles).
  const role = tenant.store.createRole('conformance-role', 'Conformance role');
  await probe('POST /api/v2/users/{id}/roles', 'assigned', `${userPath}/roles`, { roles: [role.id] });
  await probe('GET /api/v2/users/{id}/roles', 'with totals', `${userPath}/roles${q({ include_totals: 'true', per_page: '50' })}`);
  await probe('GET /api/v2/users-by-email', 'found', `/api/v2/users-by-email${q({ email })}`);
  const exportJob = await probe('POST /api/v2/jobs/users-exports', 'created', '/api/v2/jobs/users-exports', {
    format: 'json',
    fields: [{ name: 'user_id' }, { name: 'email' }],
  });
  const jobId = String((JSON.parse(exportJob.text) as { id?: unknown }).id);
  await probe('GET /api/v2/jobs/{id}', 'pending', `/api/v2/jobs/${jobId}`);
  await new Promise((resolve) => setTimeout(resolve, 400));
  await probe('GET /api/v2/jobs/{id}', 'completed', `/api/v2/jobs/${jobId}`);
  const search = { page: '0', per_page: '50', include_totals: 'true', search_engine: 'v3' };
  await probe('GET /api/v2/users', 'search', `/api/v2/users${q({ ...search, q: `email:"${email}"` })}`);
  await probe(
    'GET /api/v2/users',
    'search with fields',
    `/api/v2/users${q({ ...search, fields: 'user_id,app_metadata', q: `user_id:"${userId}"` })}`,
  );
  // Page 20 of 50 ends at result 1,050: past the cap, whatever the number of matches.
  await probe('GET /api/v2/users', 'past the first 1000 results', `/api/v2/users${q({ ...search, page: '20', q: 'email:*' })}`);

  // Tickets, as the Actions and the scripts ask for them.
  await probe('POST /api/v2/tickets/password-change', 'created', '/api/v2/tickets/password-change', {
    user_id: userId,
    client_id: appClientId,
    ttl_sec: 3600,
    mark_email_as_verified: true,
    includeEmailInRedirect: false,
  });
  await probe('POST /api/v2/tickets/email-verification', 'created', '/api/v2/tickets/email-verification', {
    user_id: userId,
    result_url: 'https://app.example.com/verified',
    ttl_sec: 3600,
    includeEmailInRedirect: false,
  });

  // Connections and clients, as deploy-cli and the deploy's checks read and write them.
  const connection = await probe('POST /api/v2/connections', 'created', '/api/v2/connections', {
    name: 'conformance-db',
    strategy: 'auth0',
    options: { passwordPolicy: 'good', brute_force_protection: true },
    enabled_clients: [],
  });
  const connectionId = json<{ id: string }>(connection).id;
  // As admin/connections.ts asks (the SDK adds include_totals and take); seeded connections are state, not answers.
  const byName = q({ include_totals: 'true', take: '50', strategy: 'auth0', name: 'conformance-db' });
  await probe('GET /api/v2/connections', 'checkpoint page', `/api/v2/connections${byName}`);
  await probe('GET /api/v2/connections/{id}', 'found', `/api/v2/connections/${connectionId}`);
  await probe('PATCH /api/v2/connections/{id}', 'updated', `/api/v2/connections/${connectionId}`, {
    options: { passwordPolicy: 'good', brute_force_protection: true },
  });
  await probe('PATCH /api/v2/connections/{id}/clients', 'updated', `/api/v2/connections/${connectionId}/clients`, [
    { client_id: appClientId, status: true },
  ]);
  await probe('GET /api/v2/connections/{id}/clients', 'found', `/api/v2/connections/${connectionId}/clients${q({ take: '100' })}`);
  await probe(
    'GET /api/v2/clients',
    'page',
    `/api/v2/clients${q({ page: '0', per_page: '100', include_totals: 'true', is_global: 'false' })}`,
  );
  await probe(
    'GET /api/v2/clients/{id}',
    'found',
    `/api/v2/clients/${appClientId}${q({ fields: 'name,client_metadata', include_fields: 'true' })}`,
  );
  await probe('PATCH /api/v2/clients/{id}', 'updated', `/api/v2/clients/${appClientId}`, {
    name: 'Web App',
    callbacks: ['https://app.example.com/callback'],
  });

  // Email templates: seedTenant made reset_email, not welcome_email.
  const template = { template: 'reset_email', body: '<p>{{ url }}</p>', from: '', subject: 'Reset', syntax: 'liquid', enabled: true };
  await probe('POST /api/v2/email-templates', 'exists', '/api/v2/email-templates', template);
  await probe('PATCH /api/v2/email-templates/{templateName}', 'updated', '/api/v2/email-templates/reset_email', {
    subject: 'Reset',
    enabled: true,
  });
  await probe('PATCH /api/v2/email-templates/{templateName}', 'not found', '/api/v2/email-templates/welcome_email', { enabled: true });
  await probe('GET /api/v2/email-templates/{templateName}', 'found', '/api/v2/email-templates/reset_email');
  await probe('GET /api/v2/email-templates/{templateName}', 'not found', '/api/v2/email-templates/welcome_email');
  // A Redirect To, on a tenant created today without an enterprise plan (the essentials profile).
  const redirectTo = { resultUrl: 'https://app.example.com/after-reset' };
  await probe('PATCH /api/v2/email-templates/{templateName}', 'resultUrl refused', '/api/v2/email-templates/reset_email', redirectTo);
  await probe('POST /api/v2/email-templates', 'resultUrl refused', '/api/v2/email-templates', {
    ...template,
    template: 'welcome_email',
    ...redirectTo,
  });

  // Actions, as deploy-cli creates, updates, deploys and binds them.
  const newAction = await probe('POST /api/v2/actions/actions', 'created', '/api/v2/actions/actions', {
    name: 'conformance-action',
    supported_triggers: [{ id: 'post-login', version: 'v3' }],
    code: 'exports.onExecutePostLogin = async () => {};',
    runtime: 'node22',
    dependencies: [{ name: 'auth0', version: '7.1.0' }],
    secrets: [{ name: 'A_SECRET', value: 'secret-value' }],
  });
  const actionId = json<{ id: string }>(newAction).id;
  // Read at once: a real tenant builds every new draft asynchronously.
  await probe('GET /api/v2/actions/actions/{id}', 'pending', `/api/v2/actions/actions/${actionId}`);
  await probe('PATCH /api/v2/actions/actions/{id}', 'updated', `/api/v2/actions/actions/${actionId}`, {
    code: 'exports.onExecutePostLogin = async () => {}; // 2',
  });
  await untilBuilt(actionId);
  await probe('POST /api/v2/actions/actions/{id}/deploy', 'deployed', `/api/v2/actions/actions/${actionId}/deploy`);
  await probe('GET /api/v2/actions/actions/{id}/versions', 'page', `/api/v2/actions/actions/${actionId}/versions`);
  await probe('GET /api/v2/actions/actions', 'page', `/api/v2/actions/actions${q({ page: '0', per_page: '100' })}`);
  await probe('GET /api/v2/actions/modules', 'page', `/api/v2/actions/modules${q({ page: '0', per_page: '100' })}`);
  await probe('PATCH /api/v2/actions/triggers/{triggerId}/bindings', 'updated', '/api/v2/actions/triggers/post-login/bindings', {
    bindings: [{ ref: { type: 'action_name', value: 'conformance-action' }, display_name: 'conformance-action' }],
  });
  await probe(
    'GET /api/v2/actions/triggers/{triggerId}/bindings',
    'page',
    `/api/v2/actions/triggers/post-login/bindings${q({ page: '0', per_page: '50' })}`,
  );
  await probe('PATCH /api/v2/tenants/settings', 'updated', '/api/v2/tenants/settings', {
    friendly_name: 'Conformance',
    support_email: 'support@example.com',
  });
  await probe('GET /api/v2/tenants/settings', 'read', '/api/v2/tenants/settings');
  await probe('GET /api/v2/actions/triggers', 'list', '/api/v2/actions/triggers');

  // Authentication API.
  await probe('POST /dbconnections/change_password', 'accepted', '/dbconnections/change_password', {
    client_id: appClientId,
    email,
    connection: 'members',
  });
  const signup = { client_id: appClientId, connection: 'members', email: 'conformance-2@example.com', password: 'Conformance-Passw0rd!' };
  await probe('POST /dbconnections/signup', 'created', '/dbconnections/signup', signup);
  await probe('POST /dbconnections/signup', 'user exists', '/dbconnections/signup', signup);
  await probe('POST /dbconnections/signup', 'password too weak', '/dbconnections/signup', {
    ...signup,
    email: 'conformance-4@example.com',
    password: 'weak',
  });
  await probeScopes();

  // SendGrid (the stand-in's HTTPS route for programs outside the process).
  const mail = {
    personalizations: [{ to: [{ email: 'conformance-3@example.com' }] }],
    from: { email: 'no-reply@example.com' },
    subject: 'Conformance',
    content: [{ type: 'text/plain', value: 'Conformance' }],
  };
  const sendgrid = (key: string) => ({ authorization: `Bearer ${key}` });
  await probe('POST /v3/mail/send', 'accepted', '/sendgrid/v3/mail/send', mail, sendgrid(SENDGRID_KEY));
  await probe(
    'POST /v3/mail/send',
    'invalid request',
    '/sendgrid/v3/mail/send',
    { ...mail, from: { email: 'not-an-address' } },
    sendgrid(SENDGRID_KEY),
  );
  await probe('POST /v3/mail/send', 'unauthorized', '/sendgrid/v3/mail/send', mail, sendgrid('SG.wrong'));

  // Over the limit: a bucket of one token that does not refill within the test.
  tenant.faults.setRateLimitTier({ burst: 1, perSecond: 0.01 });
  await send('GET', userPath, undefined, { authorization: `Bearer ${token}` });
  rateLimited = await send('GET', userPath, undefined, { authorization: `Bearer ${token}` });
  tenant.faults.setRateLimitTier({ burst: 4, perSecond: 0.1 });
  for (let i = 0; i < 3; i += 1) {
    partlySpent = { answer: await send('GET', userPath, undefined, { authorization: `Bearer ${token}` }), at: Date.now() };
  }
  tenant.faults.setRateLimitTier(UNREACHED_LIMIT);
}

/** An action can be deployed once built; the harness waits through the action's own read (not an endpoint we call). */
async function untilBuilt(actionId: string): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const answer = await send('GET', `/api/v2/actions/actions/${actionId}`, undefined, { authorization: `Bearer ${token}` });
    if (json<{ status?: string }>(answer).status === 'built') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  // A paid plan: Auth0 offers user export jobs only there (the free profile refuses them).
  tenant = await startTestTenant({ sendgridApiKeys: [SENDGRID_KEY], profile: 'essentials', timings: { usersExportMs: 300 } });
  tenant.faults.setRateLimitTier(UNREACHED_LIMIT);
  http = trustingFetch(tenant);
  token = await tokenFor(tenant);
  const started = Date.now();
  await probeEverything();
  probesMs = Date.now() - started;
});
afterAll(async () => tenant.stop());

const cases = Object.entries(RECORDED_SHAPES).flatMap(([endpoint, shapes]) =>
  Object.entries(shapes).map(([name, expected]) => ({ endpoint, name, expected })),
);

/** What a Management API answer must have beyond its own shape: the rate-limit headers. */
function withCommonHeaders(endpoint: string, expected: ExpectedAnswer): ExpectedAnswer {
  if (!endpoint.includes(' /api/v2/')) return expected;
  return { ...expected, headers: { ...RATE_LIMIT_HEADERS, ...expected.headers } };
}

/** Each case's mismatches, split into the known differences (known-differences.ts) and the rest. */
function differences(endpoint: string, name: string, expected: ExpectedAnswer): { known: string[]; unexpected: string[] } {
  const answer = answers.get(probeKey(endpoint, name));
  if (answer === undefined) return { known: [], unexpected: ['not probed'] };
  const problems = mismatches(withCommonHeaders(endpoint, expected), answer);
  return {
    known: problems.filter((p) => knownDifference(endpoint, p) !== undefined),
    unexpected: problems.filter((p) => knownDifference(endpoint, p) === undefined),
  };
}

test.each(cases)('$endpoint ($name) answers as a real tenant does', ({ endpoint, name, expected }) => {
  expect(differences(endpoint, name, expected).unexpected).toEqual([]);
});

test('each known difference still occurs (the list in known-differences.ts stays true)', () => {
  const seen = new Set(
    cases.flatMap(({ endpoint, name, expected }) => differences(endpoint, name, expected).known.map((p) => knownDifference(endpoint, p))),
  );
  expect(KNOWN_DIFFERENCES.filter((d) => !seen.has(d)).map((d) => d.why)).toEqual([]);
});

test('any Management API endpoint over its rate limit answers 429 as a real tenant does', () => {
  expect(rateLimited).toBeDefined();
  if (rateLimited === undefined) return;
  expect(mismatches(RATE_LIMITED, rateLimited)).toEqual([]);
  const reset = Number(rateLimited.headers.get('x-ratelimit-reset'));
  // Epoch seconds, in the near future (not a duration, not milliseconds).
  expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 1);
  expect(reset).toBeLessThan(Date.now() / 1000 + 3600);
});

test('x-ratelimit-reset is when the next request is added to the bucket, not when the bucket is full again', () => {
  // docs-v2 troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-use-cases.mdx:
  // "UNIX timestamp, in seconds, of the expected time when additional requests will be added to
  // the bucket", and in its example "1 new request will be added at that time".
  expect(partlySpent).toBeDefined();
  if (partlySpent === undefined) return;
  const { answer, at } = partlySpent;
  expect(answer.status).toBe(200);
  expect(answer.headers.get('x-ratelimit-remaining')).toBe('1');
  const secondsAhead = Number(answer.headers.get('x-ratelimit-reset')) - at / 1000;
  // The next token is 10 s away (rounded up to a whole second); the full bucket 30 s.
  expect(secondsAhead).toBeGreaterThan(8);
  expect(secondsAhead).toBeLessThanOrEqual(11);
});

test('any Management API endpoint called without its scope answers 403 insufficient_scope as a real tenant does', () => {
  expect(insufficientScope).toBeDefined();
  if (insufficientScope === undefined) return;
  expect(mismatches({ ...INSUFFICIENT_SCOPE, headers: RATE_LIMIT_HEADERS }, insufficientScope)).toEqual([]);
  // The scopes the endpoint accepts, as Auth0 names them (docs-v2 api/management/v2/users/get-users.mdx: read:users, read:user_idp_tokens).
  expect(json<{ message: string }>(insufficientScope).message).toBe('Insufficient scope, expected any of: read:users,read:user_idp_tokens');
});

test('every endpoint the project calls has a recorded shape, each probed: coverage printed', () => {
  const used = Object.keys(USED_ENDPOINTS);
  const served = Object.keys(SERVED_ENDPOINTS);
  const covered = used.filter((endpoint) => endpoint in RECORDED_SHAPES);
  const unprobed = cases.filter((c) => !answers.has(probeKey(c.endpoint, c.name))).map((c) => `${c.endpoint} (${c.name})`);
  const shapesOfUnlistedEndpoints = Object.keys(RECORDED_SHAPES).filter((e) => !(e in USED_ENDPOINTS) && !(e in SERVED_ENDPOINTS));
  const row = (endpoint: string) => `  ${endpoint.padEnd(56)} ${Object.keys(RECORDED_SHAPES[endpoint] ?? {}).join(', ') || 'NO SHAPE'}`;
  console.log(
    `Conformance: ${covered.length} of ${used.length} endpoints the project calls covered, and ${served.length} the local tenant ` +
      `serves for rules we rely on (${cases.length} answers + the 429 and the insufficient_scope 403 of any Management API ` +
      `endpoint; probes ${probesMs} ms)\n${used.map(row).join('\n')}\n  served, not called:\n${served.map(row).join('\n')}`,
  );
  expect(used.filter((endpoint) => !covered.includes(endpoint))).toEqual([]);
  expect(served.filter((endpoint) => !(endpoint in RECORDED_SHAPES))).toEqual([]);
  expect(served.filter((endpoint) => endpoint in USED_ENDPOINTS)).toEqual([]);
  expect(unprobed).toEqual([]);
  expect(shapesOfUnlistedEndpoints).toEqual([]);
});
