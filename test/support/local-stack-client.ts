import { ManagementClient } from 'auth0';
import type { OutboxEmail } from '../../local-tenant/mail';
import { managementAudience } from '../../local-tenant/authentication-api/access-tokens';
import type { LocalStack } from '../../local-tenant/local-stack';
import type { LocalTenant } from '../../local-tenant/server';
import { KNOWN_MANAGEMENT_SCOPES } from '../../local-tenant/management-api/scopes';
import { trustingFetch } from '../../local-tenant/test/helpers';

/**
 * The tests' own application, standing in for an administrator at the dashboard (creating users,
 * reading what the flows wrote): every scope, and used by no flow. The deploy, the Actions and
 * the scripts each use their own application with exactly their scopes (LOCAL_CLIENTS).
 */
const TEST_HARNESS_CLIENT = { client_id: 'local-test-harness', client_secret: 'local-test-harness-secret' };

/** Adds the harness application and its grant straight into the tenant's state, as the dashboard would. */
function ensureHarnessClient(tenant: LocalTenant): void {
  const { store } = tenant;
  if (!store.findClient(TEST_HARNESS_CLIENT.client_id)) {
    store.add('clients', {
      ...TEST_HARNESS_CLIENT,
      name: 'Local tests (dashboard stand-in)',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
    });
  }
  store.setClientGrant(TEST_HARNESS_CLIENT.client_id, managementAudience(tenant.domain), KNOWN_MANAGEMENT_SCOPES);
}

/** What an end-to-end test does with the running local tenant, over real HTTP(S). */
export class LocalStackClient {
  readonly management: ManagementClient;

  constructor(readonly stack: LocalStack) {
    ensureHarnessClient(stack.tenant);
    this.management = new ManagementClient({
      domain: stack.tenant.domain,
      clientId: TEST_HARNESS_CLIENT.client_id,
      clientSecret: TEST_HARNESS_CLIENT.client_secret,
      fetch: trustingFetch(stack.tenant),
      maxRetries: 0,
      timeoutInSeconds: 30,
    });
  }

  /**
   * Waits for the post-user-registration runs of the users created so far: Auth0 runs that
   * trigger after the creation has answered, and so does the local tenant (after its delay).
   */
  async registrationsDone(): Promise<void> {
    await this.stack.tenant.deferred.settled();
  }

  get httpUrl(): string {
    return this.stack.tenant.httpUrl;
  }

  async outbox(to?: string): Promise<OutboxEmail[]> {
    const response = await fetch(`${this.httpUrl}/__local/outbox${to === undefined ? '' : `?to=${encodeURIComponent(to)}`}`);
    if (!response.ok) throw new Error(`outbox: ${response.status}`);
    return (await response.json()) as OutboxEmail[];
  }

  async login(connection: string, identifier: string, password: string, extra: Record<string, string> = {}) {
    const response = await fetch(`${this.httpUrl}/local/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connection, username: identifier, password, ...extra }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Follows a password-change link as a browser would: open it, then submit the form. */
  async setPassword(link: string, password: string): Promise<Response> {
    const url = new URL(link);
    const page = await fetch(url);
    if (page.status !== 200) throw new Error(`reset page: ${page.status}`);
    const ticket = url.searchParams.get('ticket') ?? '';
    return fetch(new URL('/lo/reset', url), {
      method: 'POST',
      body: new URLSearchParams({ ticket, password, password_confirm: password }),
      redirect: 'manual',
    });
  }
}

/** The links of an email's HTML, with the entities Handlebars and Liquid escape decoded. */
export function linksOf(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map(([, href]) =>
    (href ?? '')
      .replace(/&#x3D;/g, '=')
      .replace(/&#x2F;/g, '/')
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}
