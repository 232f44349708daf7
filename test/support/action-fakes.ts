import type {
  CustomEmailProviderApi,
  CustomEmailProviderEvent,
  EmailNotification,
  NotifiedUser,
  PostLoginApi,
  PostLoginEvent,
  PostUserRegistrationApi,
  PostUserRegistrationEvent,
  Secrets,
  User,
} from '../../actions/shared/auth0-actions';
import { ActionCacheStore } from '../../local-tenant/actions-runtime/action-cache';
import { withOverrides, type Overrides } from './overrides';

export const TENANT_DOMAIN = 'email-flows-test.eu.auth0.com';

/** Secrets of both Actions, filled; a test removes or changes what it examines. */
export function fullSecrets(overrides: Record<string, string | undefined> = {}): Secrets {
  return {
    AUTH0_DOMAIN: TENANT_DOMAIN,
    AUTH0_CLIENT_ID: 'm2m-client-id-0123456789abcdef01',
    AUTH0_CLIENT_SECRET: 'm2m-client-secret',
    INVITE_CONNECTIONS: 'members,shared-inbox:ticket',
    INVITE_MODE: 'change_password',
    INVITE_CLIENT_ID: 'app-client-id',
    INVITE_RESULT_URL: 'https://app.example.com/welcome',
    INVITE_TTL_SEC: '604800',
    INVITE_APP_NAME: 'Example App',
    INVITE_TEMPLATE_ID: 'd-invite',
    VERIFY_TEMPLATE_ID: 'd-verify',
    VERIFY_RESULT_URL: 'https://app.example.com/verified',
    VERIFY_TTL_SEC: '432000',
    WELCOME_TEMPLATE_ID: 'd-welcome',
    SENDGRID_API_KEY: 'SG.test-key',
    MAIL_FROM: 'Example <no-reply@example.com>',
    ...overrides,
  };
}

export function fakeUser(overrides: Overrides<User> = {}): User {
  return withOverrides(
    {
      user_id: 'auth0|user-1',
      email: 'ada@example.com',
      email_verified: false,
      username: 'ada',
      created_at: '2026-11-01T10:00:00.000Z',
      updated_at: '2026-11-01T10:00:00.000Z',
      app_metadata: {},
      user_metadata: {},
      identities: [{ connection: 'members', isSocial: false, provider: 'auth0', user_id: 'user-1' }],
    },
    overrides,
  );
}

export function fakePostLoginEvent(overrides: Partial<PostLoginEvent> = {}): PostLoginEvent {
  return {
    user: fakeUser(),
    connection: { id: 'con_1', name: 'members', strategy: 'auth0' },
    client: { client_id: 'app-client-id', name: 'Example App', metadata: {} },
    request: { ip: '203.0.113.7', method: 'POST', language: 'en-US,en;q=0.9', geoip: {} },
    tenant: { id: 'email-flows-test' },
    secrets: fullSecrets(),
    stats: { logins_count: 1 },
    ...overrides,
  };
}

export function fakeRegistrationEvent(
  overrides: Partial<PostUserRegistrationEvent> & { userOverrides?: Overrides<User> } = {},
): PostUserRegistrationEvent {
  const { userOverrides, ...rest } = overrides;
  const { identities: _identities, email_verified, ...user } = fakeUser(userOverrides);
  return {
    user: { ...user, email_verified },
    connection: { id: 'con_1', name: 'members', strategy: 'auth0' },
    tenant: { id: 'email-flows-test' },
    secrets: fullSecrets(),
    ...rest,
  };
}

interface RecordedPostLoginApi extends PostLoginApi {
  cache: ActionCacheStore;
  appMetadataCalls: [string, unknown][];
  denied: string[];
}

/** A post-login api that records what the Action asked for; metadata is not applied, as in Auth0. */
export function fakePostLoginApi(cache: ActionCacheStore = new ActionCacheStore()): RecordedPostLoginApi {
  const appMetadataCalls: [string, unknown][] = [];
  const denied: string[] = [];
  const api: RecordedPostLoginApi = {
    cache,
    appMetadataCalls,
    denied,
    access: { deny: (reason) => (denied.push(reason), api) },
    user: {
      setAppMetadata: (key, value) => (appMetadataCalls.push([key, value]), api),
      setUserMetadata: () => api,
    },
    accessToken: { setCustomClaim: () => api, addScope: () => api, removeScope: () => api },
    idToken: { setCustomClaim: () => api },
    multifactor: { enable: () => api },
    redirect: { sendUserTo: () => api, encodeToken: () => '', validateToken: () => ({}) },
    authentication: { challengeWith: () => undefined, recordMethod: () => api },
    samlResponse: { setAttribute: () => api },
  };
  return api;
}

export function fakeRegistrationApi(
  cache: ActionCacheStore = new ActionCacheStore(),
): PostUserRegistrationApi & { cache: ActionCacheStore } {
  return { cache };
}

/** Console lines written while `work` runs. */
export async function captureConsole<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  try {
    return { result: await work(), lines };
  } finally {
    console.log = original;
  }
}

/** A reset_email as Auth0 hands it to custom-email-provider: the rendered template for a shared-inbox user. */
export function fakeNotification(overrides: Partial<EmailNotification> = {}): EmailNotification {
  return {
    to: 'family@example.com',
    from: 'Example <no-reply@example.com>',
    subject: 'Reset your Example password',
    html: '<p>Someone asked to reset the password of the account <strong>ada</strong>.</p><p><a href="https://email-flows-test.eu.auth0.com/lo/reset?ticket=t-1#">Choose a new password</a></p>',
    text: 'Someone asked to reset the password of the account ada. Choose a new password: https://email-flows-test.eu.auth0.com/lo/reset?ticket=t-1#',
    locale: 'en',
    message_type: 'reset_email',
    ...overrides,
  };
}

export function fakeNotifiedUser(appMetadata: Record<string, unknown> = {}, overrides: Partial<NotifiedUser> = {}): NotifiedUser {
  return {
    user_id: 'auth0|user-1',
    email: 'family@example.com',
    email_verified: true,
    username: 'ada',
    app_metadata: appMetadata,
    user_metadata: {},
    ...overrides,
  };
}

export function fakeCustomEmailEvent(
  overrides: Overrides<CustomEmailProviderEvent> & { notificationOverrides?: Partial<EmailNotification> } = {},
): CustomEmailProviderEvent {
  const { notificationOverrides, ...rest } = overrides;
  return withOverrides<CustomEmailProviderEvent>(
    {
      notification: fakeNotification(notificationOverrides),
      user: fakeNotifiedUser(),
      client: { client_id: 'app-client-id', name: 'Example App', metadata: {} },
      connection: { id: 'con_2', name: 'shared-inbox', strategy: 'auth0' },
      request: { ip: '203.0.113.7', hostname: TENANT_DOMAIN },
      tenant: { id: 'email-flows-test' },
      secrets: fullSecrets(),
    },
    rest,
  );
}

interface RecordedCustomEmailApi extends CustomEmailProviderApi {
  cache: ActionCacheStore;
  /** Every retry/drop call in order; Auth0 acts on the last one. */
  calls: ['retry' | 'drop', string][];
}

export function fakeCustomEmailApi(cache: ActionCacheStore = new ActionCacheStore()): RecordedCustomEmailApi {
  const calls: ['retry' | 'drop', string][] = [];
  return {
    cache,
    calls,
    notification: {
      retry: (reason) => void calls.push(['retry', reason]),
      drop: (reason) => void calls.push(['drop', reason]),
    },
  };
}
