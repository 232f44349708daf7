/**
 * Each machine-to-machine application gets exactly the Management API scopes it uses: the
 * local tenant grants each local application its list from deploy/application-scopes.ts,
 * enforces every endpoint's scopes, and these tests check that the lists match the calls the
 * applications really make, that nothing beyond them is granted, and that a missing scope is
 * reported by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagementClient } from 'auth0';
import { failureOf } from '../../admin/cli';
import { connectManagement, failureReason } from '../../admin/management';
import { RateGovernor } from '../../admin/rate-limit';
import { APPLICATION_CALLS, applicationScopes, type ApplicationName } from '../../deploy/application-scopes';
import { managementAudience } from '../../local-tenant/authentication-api/access-tokens';
import { LOCAL_CLIENTS, LOCAL_PARTNER_APP } from '../../local-tenant/local-stack';
import { endpointScopes } from '../../local-tenant/management-api/scopes';
import { trustingFetch } from '../../local-tenant/test/helpers';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';

jest.setTimeout(60_000);

const APPLICATIONS = Object.keys(LOCAL_CLIENTS) as ApplicationName[];
let stack: InstalledStack;

beforeAll(async () => {
  stack = await startInstalledStack();
});
afterAll(async () => stack?.stop());

async function tokenRequest(clientId: string, clientSecret: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await trustingFetch(stack.tenant)(`${stack.tenant.httpsUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience: managementAudience(stack.tenant.domain),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function tokenOf(application: ApplicationName): Promise<{ token: string; scopes: string[] }> {
  const { client_id, client_secret } = LOCAL_CLIENTS[application];
  const { status, body } = await tokenRequest(client_id, client_secret);
  expect(status).toBe(200);
  return { token: String(body.access_token), scopes: String(body.scope).split(' ').sort() };
}

async function call(token: string, method: string, path: string, body?: unknown) {
  const response = await trustingFetch(stack.tenant)(`${stack.tenant.httpsUrl}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown };
}

/** `/users/{id}` for `/users/auth0|abc`: the table's route of a logged request, as APPLICATION_CALLS writes it. */
function routeOf(method: string, path: string): string {
  const row = endpointScopes(method, path.replace(/^\/api\/v2/, ''));
  return `${method} ${row === undefined ? path : row.path.replace(/:([A-Za-z]+)/g, (_, name: string) => `{${name === 'name' ? 'templateName' : name}}`)}`;
}

describe('the scope lists (deploy/application-scopes.ts)', () => {
  it.each(APPLICATIONS)("each of %s's calls holds a scope Auth0 accepts for that endpoint", (application) => {
    for (const declared of APPLICATION_CALLS[application]) {
      const row = endpointScopes(declared.method, declared.path.replace(/\{[A-Za-z]+\}/g, 'x'));
      expect({ call: `${declared.method} ${declared.path}`, accepted: row?.anyOf }).toEqual({
        call: `${declared.method} ${declared.path}`,
        accepted: expect.arrayContaining([declared.scope]),
      });
    }
  });

  it('docs/scopes.md lists exactly these scopes for each application', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'scopes.md'), 'utf8');
    for (const application of APPLICATIONS) {
      const line = new RegExp(`^<!-- scopes:${application} -->\\n+\`\`\`text\\n([^\`]*)\`\`\``, 'm').exec(doc);
      expect({ application, listed: line?.[1]?.trim().split(/\s+/).sort() }).toEqual({
        application,
        listed: applicationScopes(application),
      });
    }
  });
});

describe('the local applications and their tokens', () => {
  it.each(APPLICATIONS)("%s's token carries exactly its scopes, and none that only the others need", async (application) => {
    const { scopes } = await tokenOf(application);
    expect(scopes).toEqual(applicationScopes(application));
    const others = APPLICATIONS.filter((a) => a !== application).flatMap((a) => applicationScopes(a));
    const theirsOnly = others.filter((scope) => !applicationScopes(application).includes(scope));
    expect(theirsOnly.length).toBeGreaterThan(0);
    for (const scope of theirsOnly) expect(scopes).not.toContain(scope);
  });

  it.each([
    ['actions', 'GET', '/users?q=x', 'read:users,read:user_idp_tokens'],
    ['actions', 'POST', '/users', 'create:users'],
    ['admin', 'GET', '/actions/actions', 'read:actions'],
    ['admin', 'PATCH', '/tenants/settings', 'update:tenant_settings'],
    ['deploy', 'POST', '/tickets/password-change', 'create:user_tickets'],
    ['deploy', 'GET', '/users-by-email?email=a@example.com', 'read:users'],
  ] as const)('%s: %s %s outside its grant answers 403 insufficient_scope, naming %s', async (application, method, path, expected) => {
    const { token } = await tokenOf(application);
    const answer = await call(token, method, path, method === 'GET' ? undefined : {});
    expect(answer).toEqual({
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: `Insufficient scope, expected any of: ${expected}`,
        errorCode: 'insufficient_scope',
      },
    });
  });

  it('update:users_app_metadata changes app_metadata only: another field asks for update:users', async () => {
    const user = await stack.client.management.users.create({
      connection: 'members',
      email: 'meta@example.com',
      password: 'Another-Password-123',
    });
    const { token } = await tokenOf('actions');
    expect((await call(token, 'PATCH', `/users/${encodeURIComponent(user.user_id!)}`, { app_metadata: { a: 1 } })).status).toBe(200);
    const widened = await call(token, 'PATCH', `/users/${encodeURIComponent(user.user_id!)}`, {
      app_metadata: { a: 2 },
      email_verified: true,
    });
    expect(widened).toMatchObject({
      status: 403,
      body: { message: 'Insufficient scope, expected any of: update:users', errorCode: 'insufficient_scope' },
    });
  });

  it('an application without a grant for the Management API is refused a token, as Auth0 refuses it', async () => {
    stack.tenant.store.add('clients', {
      client_id: 'ungranted',
      client_secret: 'ungranted-secret',
      name: 'No grant',
      grant_types: ['client_credentials'],
    });
    const refused = await tokenRequest('ungranted', 'ungranted-secret');
    expect(refused).toEqual({
      status: 403,
      body: {
        error: 'access_denied',
        error_description:
          `Client is not authorized to access "https://${stack.tenant.domain}/api/v2/". You need to create a "client-grant" associated to this API. ` +
          'See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants',
      },
    });
  });
});

describe('the calls each application really makes', () => {
  it("the Actions' requests are exactly the calls their list declares, no more", async () => {
    stack.tenant.requestLog.clear();
    // An invitation by ticket (shared-inbox) for the second application, and a verification email on a first login (members).
    await stack.client.management.users.create({
      connection: 'shared-inbox',
      email: 'house@example.com',
      username: 'scoped',
      password: 'Temporary-Password-123',
      app_metadata: { invite: true, app: LOCAL_PARTNER_APP.client_id },
    });
    await stack.client.management.users.create({
      connection: 'members',
      email: 'verify-me@example.com',
      password: 'Correct-Horse-Battery-9',
    });
    expect((await stack.client.login('members', 'verify-me@example.com', 'Correct-Horse-Battery-9')).status).toBe(200);
    // post-user-registration runs after the 201 (as on Auth0); its invitation record is written last.
    await stack.client.registrationsDone();

    const made = stack.tenant.requestLog
      .list()
      .filter((r) => r.client_id === LOCAL_CLIENTS.actions.client_id)
      .map((r) => routeOf(r.method, r.path));
    const declared = APPLICATION_CALLS.actions.map((c) => `${c.method} ${c.path}`);
    expect([...new Set(made)].sort()).toEqual([...declared].sort());
    expect(stack.actionLogs().join('\n')).not.toMatch(/insufficient_scope/);
  });
});

describe('a missing scope, reported by name', () => {
  it('the scripts: a reason code and a message naming the scope, no token', async () => {
    const management = connectManagement({
      credentials: {
        domain: stack.tenant.domain,
        clientId: LOCAL_CLIENTS.admin.client_id,
        clientSecret: LOCAL_CLIENTS.admin.client_secret,
      },
      governor: new RateGovernor({ backoffMs: 20 }),
      fetch: trustingFetch(stack.tenant),
    });
    const error = await management.client.actions.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failureReason(error)).toBe('insufficient_scope:read:actions');
    const { code, message } = failureOf('resend', error);
    expect(code).toBe(1);
    expect(message).toBe(
      "resend failed: the scripts' application lacks the Management API scope read:actions (Auth0 answered 403 insufficient_scope). Grant it as docs/scopes.md describes.",
    );
    expect(message).not.toContain(await management.token());
  });

  it('the Actions: the log line names the missing scope, and holds no token', async () => {
    const audience = managementAudience(stack.tenant.domain);
    // The Actions' application without create:user_tickets; a fresh token, as after a change in the dashboard.
    stack.tenant.store.setClientGrant(LOCAL_CLIENTS.actions.client_id, audience, ['update:users_app_metadata']);
    stack.runtime.evictCaches();
    try {
      await stack.client.management.users.create({
        connection: 'shared-inbox',
        email: 'house@example.com',
        username: 'unscoped',
        password: 'Temporary-Password-123',
        app_metadata: { invite: true },
      });
      // post-user-registration runs after the 201, as on Auth0.
      await stack.tenant.deferred.settled();
      const logs = stack.actionLogs().join('\n');
      expect(logs).toMatch(/invite-on-registration user=\S+ invite_failed ticket_insufficient_scope:create:user_tickets/);
      expect(logs).not.toMatch(/local\.[A-Za-z0-9_-]{20,}/);
    } finally {
      stack.tenant.store.setClientGrant(LOCAL_CLIENTS.actions.client_id, audience, LOCAL_CLIENTS.actions.scopes);
      stack.runtime.evictCaches();
    }
  });

  it('the SDK error the classifiers read is the real one (a ManagementClient over HTTPS)', async () => {
    const sdk = new ManagementClient({
      domain: stack.tenant.domain,
      clientId: LOCAL_CLIENTS.deploy.client_id,
      clientSecret: LOCAL_CLIENTS.deploy.client_secret,
      fetch: trustingFetch(stack.tenant),
      maxRetries: 0,
    });
    const error = (await sdk.users.list({ q: 'x' }).catch((e: unknown) => e)) as { statusCode?: number; body?: unknown };
    expect(error.statusCode).toBe(403);
    expect(error.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Insufficient scope, expected any of: read:users,read:user_idp_tokens',
      errorCode: 'insufficient_scope',
    });
  });
});
