import type {
  Client,
  Connection,
  CustomEmailProviderEvent,
  NotifiedUser,
  PasswordResetPostChallengeEvent,
  PostLoginEvent,
  PostUserRegistrationEvent,
  Request as ActionRequest,
  Secrets,
  Transaction,
  User,
} from '../../actions/shared/auth0-actions';
import type {
  CustomEmailContext,
  LoginContext,
  PasswordResetChallengeContext,
  TriggerRequestInfo,
  UserCreatedContext,
} from '../state/hooks';
import type { ActionSecretRecord, ClientRecord, ConnectionRecord, UserRecord } from '../state/types';

/** Event objects shaped as Auth0 gives them to Actions (post-login v3, post-user-registration v2, custom-email-provider v1). */

export function secretsOf(secrets: readonly ActionSecretRecord[]): Secrets {
  return Object.freeze(Object.fromEntries(secrets.map((s) => [s.name, s.value])));
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function eventUser(user: UserRecord): User {
  const [provider = 'auth0', id = user.user_id] = user.user_id.split('|');
  return {
    user_id: user.user_id,
    ...(user.email !== undefined ? { email: user.email } : {}),
    email_verified: user.email_verified,
    ...(user.username !== undefined ? { username: user.username } : {}),
    ...(user.name !== undefined ? { name: user.name } : {}),
    ...(user.nickname !== undefined ? { nickname: user.nickname } : {}),
    ...(user.given_name !== undefined ? { given_name: user.given_name } : {}),
    ...(user.family_name !== undefined ? { family_name: user.family_name } : {}),
    ...(user.picture !== undefined ? { picture: user.picture } : {}),
    created_at: user.created_at,
    updated_at: user.updated_at,
    app_metadata: clone(user.app_metadata),
    user_metadata: clone(user.user_metadata),
    identities: [{ connection: user.connection, provider, user_id: id, isSocial: false }],
    multifactor: [],
  };
}

function eventConnection(connection: ConnectionRecord): Connection {
  const metadata = connection.metadata;
  return {
    id: connection.id,
    name: connection.name,
    strategy: connection.strategy,
    metadata: isStringRecord(metadata) ? metadata : {},
  };
}

function eventClient(client: ClientRecord | undefined): Client {
  const metadata = client?.client_metadata;
  return {
    client_id: client?.client_id ?? '',
    name: client?.name ?? '',
    metadata: isStringRecord(metadata) ? metadata : {},
  };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

function eventRequest(request: TriggerRequestInfo): ActionRequest {
  return {
    ip: request.ip,
    method: request.method,
    hostname: request.hostname,
    ...(request.language !== undefined ? { language: request.language } : {}),
    ...(request.user_agent !== undefined ? { user_agent: request.user_agent } : {}),
    geoip: {},
    query: { ...request.query },
    body: { ...request.body },
  };
}

/**
 * Auth0 negotiates the transaction's locale among the tenant's enabled locales: `ui_locales`
 * first, then the browser's Accept-Language, then the tenant's first (default) locale.
 */
function negotiateLocale(enabledLocales: readonly string[], uiLocales: readonly string[], acceptLanguage?: string): string {
  const enabled = enabledLocales.length > 0 ? enabledLocales : ['en'];
  const wanted = [
    ...uiLocales,
    ...(acceptLanguage ?? '')
      .split(',')
      .map((part) => part.split(';')[0]?.trim() ?? '')
      .filter((tag) => tag !== '' && tag !== '*'),
  ];
  for (const tag of wanted) {
    const exact = enabled.find((locale) => locale.toLowerCase() === tag.toLowerCase());
    if (exact !== undefined) return exact;
    const language = enabled.find((locale) => locale.toLowerCase() === tag.split('-')[0]?.toLowerCase());
    if (language !== undefined) return language;
  }
  return enabled[0] ?? 'en';
}

/**
 * What post-login v3 and password-reset-post-challenge v1 share: the user, with the
 * application, connection and request of the transaction, and how the user authenticated.
 */
function userTransactionEvent(
  context: { user: UserRecord; connection: ConnectionRecord; client: ClientRecord | undefined; request: TriggerRequestInfo },
  secrets: Secrets,
  tenant: { id: string },
  authenticatedWith: 'pwd' | 'email',
) {
  return {
    user: eventUser(context.user),
    connection: eventConnection(context.connection),
    client: eventClient(context.client),
    request: eventRequest(context.request),
    tenant: { id: tenant.id },
    secrets,
    stats: { logins_count: context.user.logins_count },
    authentication: { methods: [{ name: authenticatedWith, timestamp: new Date().toISOString() }] },
    authorization: { roles: [] },
  };
}

export function postLoginEvent(
  context: LoginContext,
  secrets: Secrets,
  tenant: { id: string; enabledLocales: readonly string[] },
): PostLoginEvent {
  // What the application asked for, over the login page's defaults (an authorization code login).
  const asked = clone(context.transaction) ?? { ui_locales: [] };
  const transaction: Transaction = {
    protocol: 'oidc-basic-profile',
    requested_scopes: ['openid', 'profile', 'email'],
    ...asked,
    locale: asked.locale ?? negotiateLocale(tenant.enabledLocales, asked.ui_locales, context.request.language),
  };
  return { ...userTransactionEvent(context, secrets, tenant, 'pwd'), transaction };
}

export function postUserRegistrationEvent(
  user: UserRecord,
  connection: ConnectionRecord,
  context: UserCreatedContext,
  secrets: Secrets,
  tenant: { id: string },
): PostUserRegistrationEvent {
  const { identities: _identities, email_verified, multifactor: _mfa, ...rest } = eventUser(user);
  return {
    user: { ...rest, email_verified, tenant: tenant.id },
    connection: eventConnection(connection),
    tenant: { id: tenant.id },
    secrets,
    ...(context.request !== undefined ? { request: eventRequest(context.request) } : {}),
  };
}

/** password-reset-post-challenge v1: the user, the application and connection of the reset. */
export function postChallengeEvent(
  context: PasswordResetChallengeContext,
  secrets: Secrets,
  tenant: { id: string; enabledLocales: readonly string[] },
): PasswordResetPostChallengeEvent {
  return {
    ...userTransactionEvent(context, secrets, tenant, 'email'),
    transaction: { locale: negotiateLocale(tenant.enabledLocales, [], context.request.language), ui_locales: [] },
  };
}

/** The tenant settings custom-email-provider's `event.tenant` carries. */
interface EventTenantSettings {
  id: string;
  friendly_name?: string;
  support_email?: string;
  support_url?: string;
}

/**
 * custom-email-provider v1: the rendered notification, the user it is about with its current
 * metadata (no identities), the application and connection when the email has them.
 */
export function customEmailProviderEvent(
  context: CustomEmailContext,
  secrets: Secrets,
  tenant: EventTenantSettings,
): CustomEmailProviderEvent {
  let user: NotifiedUser | undefined;
  if (context.user !== undefined) {
    const { identities: _identities, multifactor: _mfa, ...rest } = eventUser(context.user);
    user = rest;
  }
  const request = context.request;
  return {
    notification: { ...context.notification },
    ...(user !== undefined ? { user } : {}),
    client: eventClient(context.client),
    ...(context.connection !== undefined ? { connection: eventConnection(context.connection) } : {}),
    request:
      request === undefined
        ? {}
        : {
            ip: request.ip,
            hostname: request.hostname,
            ...(request.user_agent !== undefined ? { user_agent: request.user_agent } : {}),
            query: { ...request.query },
            geoip: {},
          },
    tenant: { ...tenant },
    secrets,
  };
}
