import { ManagementClient } from 'auth0';
import { transportTrusting } from '../../admin/transport';
import { startLocalTenant, type LocalTenant, type LocalTenantOptions } from '../server';

export const BOOTSTRAP = { client_id: 'local-deploy-client', client_secret: 'local-deploy-secret-0123456789' };

/** Short, non-zero timings for tests: the asynchrony (post-user-registration after the 201, search lag) stays, the waits are brief. */
export const TEST_TIMINGS = { postRegistrationDelayMs: 100, searchIndexLagMs: 100, usersExportMs: 200, actionNetworkLatencyMs: 2 };

export async function startTestTenant(options: Partial<LocalTenantOptions> = {}): Promise<LocalTenant> {
  return startLocalTenant({ port: 0, bootstrapClient: BOOTSTRAP, ...options, timings: { ...TEST_TIMINGS, ...options.timings } });
}

/** Waits until user search shows the writes made so far (the tenant's search index lag, plus a margin). */
export async function searchCaughtUp(tenant: LocalTenant): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, tenant.profile.timings.searchIndexLagMs + 20));
}

/**
 * A fetch that trusts the tenant's generated certificate, as the admin scripts do
 * (admin/transport.ts): NODE_EXTRA_CA_CERTS is only read at process start.
 */
export function trustingFetch(tenant: LocalTenant): typeof fetch {
  return transportTrusting([tenant.caCertPem]).fetch;
}

/** The real auth0 v7 SDK over real HTTPS to the local tenant. */
export function managementClient(tenant: LocalTenant, overrides: { maxRetries?: number } = {}): ManagementClient {
  return new ManagementClient({
    domain: tenant.domain,
    clientId: BOOTSTRAP.client_id,
    clientSecret: BOOTSTRAP.client_secret,
    fetch: trustingFetch(tenant),
    maxRetries: overrides.maxRetries ?? 0,
    timeoutInSeconds: 10,
  });
}

export async function tokenFor(tenant: LocalTenant): Promise<string> {
  const res = await trustingFetch(tenant)(`${tenant.httpsUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', ...BOOTSTRAP, audience: `${tenant.httpsUrl}/api/v2/` }),
  });
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

/** Sets up what a deploy would: an app and database connections, straight in the state. */
export function seedTenant(tenant: LocalTenant): { appClientId: string } {
  const appClientId = 'web-app-client-id';
  const { store } = tenant;
  store.add('clients', {
    client_id: appClientId,
    client_secret: 'web-app-secret',
    name: 'Web App',
    callbacks: ['http://localhost:3000/callback'],
    initiate_login_uri: 'http://localhost:3000/login',
    app_type: 'regular_web',
  });
  store.add('connections', {
    id: 'con_members',
    name: 'members',
    strategy: 'auth0',
    options: { passwordPolicy: 'fair' },
    enabled_clients: [appClientId],
  });
  store.add('connections', {
    id: 'con_shared',
    name: 'shared-inbox',
    strategy: 'auth0',
    options: {
      passwordPolicy: 'fair',
      attributes: {
        email: { unique: false, identifier: { active: false }, profile_required: true, signup: { status: 'required' } },
        username: { identifier: { active: true }, profile_required: true, signup: { status: 'required' } },
      },
    },
    enabled_clients: [appClientId],
  });
  store.setEmailProvider({
    name: 'sendgrid',
    enabled: true,
    default_from_address: 'no-reply@example.com',
    credentials: { api_key: 'x' },
    settings: {},
  });
  store.add('email_templates', {
    template: 'reset_email',
    body: '<p>{% if user.app_metadata.invite %}Invited {{ user.name | escape }}{% else %}Reset{% endif %} <a href="{{ url }}">link</a> {{ application.name }} {{ connection.name }} {{ friendly_name }}</p>',
    from: '',
    subject: '{% if user.app_metadata.invite %}You are invited{% else %}Reset your password{% endif %}',
    syntax: 'liquid',
    resultUrl: 'http://localhost:3000/after-reset',
    urlLifetimeInSeconds: 604800,
    enabled: true,
  });
  store.setTenantSettings({ friendly_name: 'Acme Local', support_email: 'support@example.com' });
  return { appClientId };
}

/**
 * Deploys an action once its draft is built, as a client of a real tenant must: Auth0 builds a
 * draft after each create or PATCH and refuses a deploy until then (the action reads `pending`).
 */
export async function deployWhenBuilt(mgmt: ManagementClient, actionId: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await mgmt.actions.get(actionId)).status !== 'built') {
    if (Date.now() > deadline) throw new Error(`action ${actionId} was not built within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await mgmt.actions.deploy(actionId);
}

/**
 * A browser's OIDC login without a browser: opens the authorization URL (with the session cookie,
 * if any), posts the login page's form when credentials are given, and returns where it lands.
 */
export async function formLogin(
  tenant: LocalTenant,
  https: typeof fetch,
  url: string,
  credentials: { connection: string; identifier?: string; password?: string },
  cookie?: string,
): Promise<{ location: string; cookie: string; page: string; status: number }> {
  const opened = await https(url, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
  if (opened.status === 302) return { location: opened.headers.get('location') ?? '', cookie: cookie ?? '', page: '', status: 302 };
  const page = await opened.text();
  if (credentials.identifier === undefined || credentials.password === undefined)
    return { location: '', cookie: cookie ?? '', page, status: opened.status };
  const state = /name="state" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const posted = await https(`${tenant.httpsUrl}/u/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      state,
      connection: credentials.connection,
      identifier: credentials.identifier,
      password: credentials.password,
    }).toString(),
  });
  const session = /auth0=([^;]+)/.exec(posted.headers.get('set-cookie') ?? '')?.[1];
  return {
    location: posted.headers.get('location') ?? '',
    cookie: session ? `auth0=${session}` : '',
    page: await posted.text(),
    status: posted.status,
  };
}

/** For one test file: a tenant started before all its tests (seeded, with an SDK client) and stopped after. */
export function useSeededTestTenant(options: Partial<LocalTenantOptions> = {}): {
  readonly tenant: LocalTenant;
  readonly mgmt: ManagementClient;
  readonly appClientId: string;
} {
  const started: { tenant?: LocalTenant; mgmt?: ManagementClient; appClientId?: string } = {};
  beforeAll(async () => {
    started.tenant = await startTestTenant(options);
    started.appClientId = seedTenant(started.tenant).appClientId;
    started.mgmt = managementClient(started.tenant);
  });
  afterAll(async () => started.tenant?.stop());
  const get = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test tenant is started in beforeAll');
    return value;
  };
  return {
    get tenant() {
      return get(started.tenant);
    },
    get mgmt() {
      return get(started.mgmt);
    },
    get appClientId() {
      return get(started.appClientId);
    },
  };
}
