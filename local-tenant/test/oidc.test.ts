import { ManagementClient } from 'auth0';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { custom, errors, generators, Issuer, type BaseClient } from 'openid-client';
import type { LocalTenant, LoginContext, LoginOutcome, TenantHooks } from '../server';
import { BOOTSTRAP, formLogin, seedTenant, startTestTenant, trustingFetch } from './helpers';

/**
 * The login endpoints against openid-client (v5), a certified relying-party library we did not
 * write: it checks the ID token's signature, issuer, audience, nonce and expiry itself.
 */

const APP = {
  client_id: 'oidc-test-app',
  client_secret: 'oidc-test-app-secret',
  callback: 'https://app.example.com/callback',
  logout: 'https://app.example.com/bye',
};
const PASSWORD_REALM = 'http://auth0.com/oauth/grant-type/password-realm';

let tenant: LocalTenant;
let issuer: Issuer<BaseClient>;
let client: BaseClient;
let https: typeof fetch;
let mgmt: ManagementClient;
const logins: LoginContext[] = [];
const browserLogin = (url: string, credentials?: { identifier: string; password: string }, cookie?: string) =>
  formLogin(tenant, https, url, { connection: 'members', ...credentials }, cookie);
let outcome: (login: LoginContext) => LoginOutcome = () => ({ allowed: true });

const hooks: TenantHooks = {
  onLogin(login) {
    logins.push(login);
    return Promise.resolve(outcome(login));
  },
};

beforeAll(async () => {
  tenant = await startTestTenant({ hooks });
  seedTenant(tenant);
  tenant.store.add('clients', {
    client_id: APP.client_id,
    client_secret: APP.client_secret,
    name: 'OIDC Test App',
    app_type: 'regular_web',
    callbacks: [APP.callback],
    allowed_logout_urls: [APP.logout],
    grant_types: ['authorization_code', 'refresh_token', PASSWORD_REALM],
    token_endpoint_auth_method: 'client_secret_post',
    refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring' },
  });
  const members = tenant.store.findConnectionByName('members');
  if (members) tenant.store.update(members, (connection) => connection.enabled_clients.push(APP.client_id));
  https = trustingFetch(tenant);
  mgmt = new ManagementClient({
    domain: tenant.domain,
    clientId: BOOTSTRAP.client_id,
    clientSecret: BOOTSTRAP.client_secret,
    fetch: https,
  });
  await mgmt.users.create({ connection: 'members', email: 'ada@example.com', password: 'Passw0rd!', name: 'Ada Lovelace' });
  custom.setHttpOptionsDefaults({ ca: tenant.caCertPem, timeout: 10_000 });
  issuer = await Issuer.discover(tenant.httpsUrl);
  client = new issuer.Client({
    client_id: APP.client_id,
    client_secret: APP.client_secret,
    redirect_uris: [APP.callback],
    token_endpoint_auth_method: 'client_secret_post',
  });
});
afterAll(async () => tenant.stop());
beforeEach(() => {
  logins.length = 0;
  outcome = () => ({ allowed: true });
});

async function codeFlow(extra: Record<string, string> = {}) {
  const verifier = generators.codeVerifier();
  const nonce = generators.nonce();
  const state = generators.state();
  const url = client.authorizationUrl({
    scope: 'openid profile email offline_access',
    code_challenge: generators.codeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  const landed = await browserLogin(url, { identifier: 'ada@example.com', password: 'Passw0rd!' });
  return { ...landed, verifier, nonce, state };
}

test('discovery and keys: issuer https://{domain}/ and an RS256 key', async () => {
  expect(issuer.metadata.issuer).toBe(`https://${tenant.domain}/`);
  expect(issuer.metadata['end_session_endpoint']).toBe(`https://${tenant.domain}/oidc/logout`);
  const jwks = (await (await https(`${tenant.httpsUrl}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
  expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })]);
  expect(jwks.keys[0]).not.toHaveProperty('d');
});

test('authorization code with PKCE: ID token passes the library checks, post-login sees the OIDC transaction', async () => {
  outcome = () => ({
    allowed: true,
    claims: {
      idToken: { 'https://example.com/role': 'admin', iss: 'https://evil.example/' },
      accessToken: { 'https://example.com/plan': 'pro' },
    },
  });
  const flow = await codeFlow();
  expect(flow.location.startsWith(APP.callback)).toBe(true);
  const tokens = await client.callback(APP.callback, client.callbackParams(flow.location), {
    code_verifier: flow.verifier,
    nonce: flow.nonce,
    state: flow.state,
  });
  const claims = tokens.claims();
  expect(claims).toEqual(
    expect.objectContaining({
      iss: `https://${tenant.domain}/`,
      aud: APP.client_id,
      sub: expect.stringMatching(/^auth0\|/),
      nonce: flow.nonce,
      sid: expect.any(String),
      email: 'ada@example.com',
      email_verified: false,
      name: 'Ada Lovelace',
      nickname: 'ada',
      picture: expect.stringMatching(/^https:\/\//),
      updated_at: expect.any(String),
      'https://example.com/role': 'admin',
    }),
  );
  expect(tokens.refresh_token).toEqual(expect.any(String));
  const [login] = logins;
  expect(login?.transaction).toEqual(
    expect.objectContaining({
      protocol: 'oidc-basic-profile',
      redirect_uri: APP.callback,
      requested_scopes: ['openid', 'profile', 'email', 'offline_access'],
      state: flow.state,
    }),
  );
  expect(login?.client?.client_id).toBe(APP.client_id);
  const info = await client.userinfo(tokens.access_token ?? '');
  expect(info).toEqual(expect.objectContaining({ sub: claims.sub, email: 'ada@example.com' }));
  const access = JSON.parse(Buffer.from((tokens.access_token ?? '').split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  expect(access['https://example.com/plan']).toBe('pro');
});

test('a code works once, and only with its PKCE verifier', async () => {
  const flow = await codeFlow();
  const params = client.callbackParams(flow.location);
  await expect(
    client.callback(APP.callback, params, { code_verifier: generators.codeVerifier(), nonce: flow.nonce, state: flow.state }),
  ).rejects.toMatchObject({
    error: 'invalid_grant',
    error_description: 'Failed to verify code verifier',
  });
  // The failed attempt did not spend it; the right verifier does, once.
  await client.callback(APP.callback, params, { code_verifier: flow.verifier, nonce: flow.nonce, state: flow.state });
  await expect(
    client.callback(APP.callback, params, { code_verifier: flow.verifier, nonce: flow.nonce, state: flow.state }),
  ).rejects.toMatchObject({
    error: 'invalid_grant',
    error_description: 'Invalid authorization code',
  });
});

test('refresh token: post-login runs as oauth2-refresh-token, rotation spends the old token and reuse revokes the family', async () => {
  const flow = await codeFlow();
  const first = await client.callback(APP.callback, client.callbackParams(flow.location), {
    code_verifier: flow.verifier,
    nonce: flow.nonce,
    state: flow.state,
  });
  logins.length = 0;
  const refreshed = await client.refresh(first.refresh_token ?? '');
  expect(logins.map((l) => l.transaction?.protocol)).toEqual(['oauth2-refresh-token']);
  expect(refreshed.refresh_token).not.toBe(first.refresh_token);
  expect(refreshed.claims().sub).toBe(first.claims().sub);
  await expect(client.refresh(first.refresh_token ?? '')).rejects.toMatchObject({
    error: 'invalid_grant',
    error_description: 'Unknown or invalid refresh token.',
  });
  await expect(client.refresh(refreshed.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
});

test('password-realm grant: post-login runs as oauth2-password; a wrong password is invalid_grant', async () => {
  const tokens = await client.grant({
    grant_type: PASSWORD_REALM,
    username: 'ada@example.com',
    password: 'Passw0rd!',
    realm: 'members',
    scope: 'openid email',
  });
  expect(tokens.claims()).toEqual(expect.objectContaining({ email: 'ada@example.com', aud: APP.client_id }));
  expect(logins.map((l) => l.transaction?.protocol)).toEqual(['oauth2-password']);
  await expect(
    client.grant({ grant_type: PASSWORD_REALM, username: 'ada@example.com', password: 'wrong', realm: 'members' }),
  ).rejects.toMatchObject({
    error: 'invalid_grant',
    error_description: 'Wrong email or password.',
  });
});

test('a login an Action denies reaches the application as access_denied with the reason', async () => {
  outcome = () => ({ allowed: false, reason: 'Not on the guest list' });
  const flow = await codeFlow();
  const params = client.callbackParams(flow.location);
  expect(params).toEqual(
    expect.objectContaining({ error: 'access_denied', error_description: 'Not on the guest list', state: flow.state }),
  );
  const failure = client.callback(APP.callback, params, { code_verifier: flow.verifier, nonce: flow.nonce, state: flow.state });
  await expect(failure).rejects.toBeInstanceOf(errors.OPError);
  await expect(failure).rejects.toMatchObject({ error: 'access_denied' });
});

test('the session logs in again without a page (post-login runs), prompt=login asks again, prompt=none without a session is login_required', async () => {
  const flow = await codeFlow();
  expect(flow.cookie).toMatch(/^auth0=/);
  logins.length = 0;
  const again = await browserLogin(client.authorizationUrl({ scope: 'openid', state: 's2' }), undefined, flow.cookie);
  expect(new URL(again.location).searchParams.get('code')).toEqual(expect.any(String));
  expect(logins).toHaveLength(1);
  const forced = await browserLogin(client.authorizationUrl({ scope: 'openid', prompt: 'login' }), undefined, flow.cookie);
  expect(forced.page).toContain('action="/u/login"');
  const silent = await browserLogin(client.authorizationUrl({ scope: 'openid', prompt: 'none', state: 's3' }), undefined);
  expect(Object.fromEntries(new URL(silent.location).searchParams)).toEqual({
    error: 'login_required',
    error_description: 'Login required',
    state: 's3',
  });
});

test('form_post answers with a page that posts the code and state to the callback', async () => {
  const flow = await codeFlow({ response_mode: 'form_post' });
  expect(flow.page).toContain(`action="${APP.callback}"`);
  expect(flow.page).toMatch(/name="code" value="[^"]+"/);
  expect(flow.page).toContain(`name="state" value="${flow.state}"`);
});

test('callbacks and logout URLs are checked against the application', async () => {
  const mismatch = await https(
    `${tenant.httpsUrl}/authorize?client_id=${APP.client_id}&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    { redirect: 'manual' },
  );
  expect(mismatch.status).toBe(400);
  expect(await mismatch.text()).toContain('Callback URL mismatch');
  const unknownAudience = await https(client.authorizationUrl({ scope: 'openid', audience: 'https://api.unknown.example', state: 'a' }), {
    redirect: 'manual',
  });
  expect(Object.fromEntries(new URL(unknownAudience.headers.get('location') ?? '').searchParams)).toEqual(
    expect.objectContaining({ error: 'access_denied', error_description: 'Service not found: https://api.unknown.example', state: 'a' }),
  );

  const ok = await https(`${tenant.httpsUrl}/v2/logout?client_id=${APP.client_id}&returnTo=${encodeURIComponent(APP.logout)}`, {
    redirect: 'manual',
  });
  expect([ok.status, ok.headers.get('location')]).toEqual([302, APP.logout]);
  const refused = await https(
    `${tenant.httpsUrl}/v2/logout?client_id=${APP.client_id}&returnTo=${encodeURIComponent('https://evil.example/')}`,
    { redirect: 'manual' },
  );
  expect(refused.status).toBe(400);

  const flow = await codeFlow();
  const tokens = await client.callback(APP.callback, client.callbackParams(flow.location), {
    code_verifier: flow.verifier,
    nonce: flow.nonce,
    state: flow.state,
  });
  const endSession = client.endSessionUrl({ id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: APP.logout, state: 'bye' });
  const ended = await https(endSession, { redirect: 'manual', headers: { cookie: flow.cookie } });
  expect([ended.status, ended.headers.get('location')]).toEqual([302, `${APP.logout}?state=bye`]);
  // The session is gone: prompt=none now needs a login.
  const silent = await browserLogin(client.authorizationUrl({ scope: 'openid', prompt: 'none' }), undefined, flow.cookie);
  expect(new URL(silent.location).searchParams.get('error')).toBe('login_required');
});

describe('an API of the developer (resource server) as audience', () => {
  const API = 'https://api.example.com/orders';
  let apiId: string;
  const userinfo = () => `https://${tenant.domain}/userinfo`;

  /** The access token verified as the API would: signature against the tenant's JWKS, issuer, audience, RS256. */
  async function verifiedForApi(token: string | undefined): Promise<JWTPayload & Record<string, unknown>> {
    const jwks = createLocalJWKSet((await (await https(`${tenant.httpsUrl}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(token ?? '', jwks, {
      issuer: `https://${tenant.domain}/`,
      audience: API,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    return payload;
  }

  beforeAll(async () => {
    const created = await mgmt.resourceServers.create({
      name: 'Orders API',
      identifier: API,
      scopes: [
        { value: 'read:orders', description: 'Read orders' },
        { value: 'write:orders', description: 'Place orders' },
      ],
      token_lifetime: 3600,
      allow_offline_access: true,
    });
    apiId = created.id ?? '';
    expect(created).toEqual(
      expect.objectContaining({ identifier: API, signing_alg: 'RS256', token_lifetime: 3600, allow_offline_access: true }),
    );
  });

  test("the Management API serves /resource-servers with Auth0's shapes and scopes", async () => {
    // By id or by identifier (the SDK encodes it into the path).
    expect((await mgmt.resourceServers.get(API)).id).toBe(apiId);
    expect((await mgmt.resourceServers.get(apiId)).identifier).toBe(API);
    const listed = await mgmt.resourceServers.list();
    expect(listed.data.map((rs) => rs.identifier)).toContain(API);
    await expect(mgmt.resourceServers.create({ identifier: API })).rejects.toMatchObject({ statusCode: 409 });
    // A token without the resource-server scopes is refused, as every endpoint is.
    tenant.store.add('clients', {
      client_id: 'rs-reader',
      client_secret: 'rs-reader-secret',
      name: 'No RS scopes',
      grant_types: ['client_credentials'],
    });
    tenant.store.setClientGrant('rs-reader', `https://${tenant.domain}/api/v2/`, ['read:users']);
    const token = (await (
      await https(`${tenant.httpsUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: 'rs-reader',
          client_secret: 'rs-reader-secret',
          audience: `https://${tenant.domain}/api/v2/`,
        }),
      })
    ).json()) as { access_token: string };
    const refused = await https(`${tenant.httpsUrl}/api/v2/resource-servers`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'Insufficient scope, expected any of: read:resource_servers' });
  });

  test("code flow with audience: an RS256 access token for the API with its lifetime, scopes it defines and the Action's claim", async () => {
    outcome = () => ({ allowed: true, claims: { idToken: {}, accessToken: { 'https://example.com/plan': 'pro', scope: 'admin' } } });
    const flow = await codeFlow({ audience: API, scope: 'openid profile email offline_access read:orders delete:everything' });
    const tokens = await client.callback(APP.callback, client.callbackParams(flow.location), {
      code_verifier: flow.verifier,
      nonce: flow.nonce,
      state: flow.state,
    });
    const access = await verifiedForApi(tokens.access_token);
    expect(access).toEqual(
      expect.objectContaining({
        iss: `https://${tenant.domain}/`,
        sub: tokens.claims().sub,
        aud: [API, userinfo()],
        azp: APP.client_id,
        scope: 'openid profile email offline_access read:orders',
        'https://example.com/plan': 'pro',
      }),
    );
    expect(access).not.toHaveProperty('permissions');
    expect((access.exp ?? 0) - (access.iat ?? 0)).toBe(3600);
    // openid-client counts expires_in down from the answer's.
    expect(tokens.expires_in).toBeGreaterThan(3590);
    // The API allows offline access: a refresh token, whose exchange gives a token for the API again.
    const refreshed = await client.refresh(tokens.refresh_token ?? '');
    expect(await verifiedForApi(refreshed.access_token)).toEqual(expect.objectContaining({ aud: [API, userinfo()], scope: access.scope }));
    // /userinfo still accepts it (its second audience).
    expect(await client.userinfo(tokens.access_token ?? '')).toEqual(expect.objectContaining({ sub: access.sub }));
  });

  test('password-realm with audience and no openid: aud is the API alone; RBAC with permissions in the token', async () => {
    const realm = (scope: string) =>
      client.grant({
        grant_type: PASSWORD_REALM,
        username: 'ada@example.com',
        password: 'Passw0rd!',
        realm: 'members',
        audience: API,
        scope,
      });
    const plain = await verifiedForApi((await realm('read:orders write:orders')).access_token);
    expect(plain).toEqual(expect.objectContaining({ aud: API, scope: 'read:orders write:orders', gty: 'password' }));

    await mgmt.resourceServers.update(apiId, { enforce_policies: true, token_dialect: 'access_token_authz' });
    try {
      // RBAC: only permissions the user holds are granted, and this tenant assigns none.
      const rbac = await verifiedForApi((await realm('openid read:orders')).access_token);
      expect(rbac).toEqual(expect.objectContaining({ aud: [API, userinfo()], scope: 'openid', permissions: [] }));
    } finally {
      await mgmt.resourceServers.update(apiId, { enforce_policies: false, token_dialect: 'access_token' });
    }
  });

  test('client credentials for the API: needs a client grant, then a token for <client_id>@clients with the granted scopes', async () => {
    const m2m = await mgmt.clients.create({ name: 'Orders worker', app_type: 'non_interactive', grant_types: ['client_credentials'] });
    const request = () =>
      https(`${tenant.httpsUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: m2m.client_id,
          client_secret: m2m.client_secret,
          audience: API,
        }),
      });
    const ungranted = await request();
    expect(ungranted.status).toBe(403);
    expect(await ungranted.json()).toMatchObject({ error: 'access_denied', error_description: expect.stringContaining(`"${API}"`) });

    await mgmt.clientGrants.create({ client_id: m2m.client_id ?? '', audience: API, scope: ['read:orders'] });
    const granted = (await (await request()).json()) as { access_token: string; expires_in: number; scope: string };
    expect(granted).toEqual(expect.objectContaining({ scope: 'read:orders', expires_in: 3600, token_type: 'Bearer' }));
    expect(await verifiedForApi(granted.access_token)).toEqual(
      expect.objectContaining({
        sub: `${m2m.client_id}@clients`,
        aud: API,
        azp: m2m.client_id,
        scope: 'read:orders',
        gty: 'client-credentials',
      }),
    );
  });

  test('a deleted API is an unknown audience again: Service not found', async () => {
    const other = await mgmt.resourceServers.create({ identifier: 'https://api.example.com/short-lived' });
    await mgmt.resourceServers.delete(other.id ?? '');
    const answer = await https(client.authorizationUrl({ scope: 'openid', audience: 'https://api.example.com/short-lived', state: 'x' }), {
      redirect: 'manual',
    });
    expect(Object.fromEntries(new URL(answer.headers.get('location') ?? '').searchParams)).toEqual(
      expect.objectContaining({ error: 'access_denied', error_description: 'Service not found: https://api.example.com/short-lived' }),
    );
  });
});
