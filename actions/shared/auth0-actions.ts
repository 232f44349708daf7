/**
 * Types of the Auth0 Actions event and api objects for the triggers this bundle uses.
 *
 * The official `@auth0/actions` types are not on the registry this project reaches, so these
 * are written from Auth0's docs ("Actions Triggers: post-login / post-user-registration /
 * custom-email-provider / password-reset-post-challenge — Event Object / API Object"). They cover the documented fields, not
 * only the ones the Actions read, and mark as optional what Auth0 may leave out.
 */

/** Metadata as Auth0 stores it: JSON values, keyed by string. */
export type Metadata = Record<string, unknown>;

/** `event.secrets`: every secret declared on the Action, as strings. */
export type Secrets = Readonly<Record<string, string | undefined>>;

export interface Identity {
  connection: string;
  isSocial: boolean;
  provider: string;
  user_id: string;
  userId?: string;
  profileData?: Metadata;
}

/** The profile fields every trigger's `event.user` carries, with both metadata objects. */
export interface UserProfile {
  user_id: string;
  email?: string;
  email_verified: boolean;
  username?: string;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  app_metadata: Metadata;
  user_metadata: Metadata;
}

export interface User extends UserProfile {
  phone_number?: string;
  phone_verified?: boolean;
  created_at: string;
  updated_at: string;
  last_password_reset?: string;
  multifactor?: string[];
  identities: Identity[];
}

/** post-user-registration has no `identities` and no login fields. */
export type RegisteredUser = Omit<User, 'identities' | 'email_verified'> & {
  email_verified?: boolean;
  tenant?: string;
};

export interface Connection {
  id: string;
  name: string;
  strategy: string;
  metadata?: Record<string, string>;
}

export interface Client {
  client_id: string;
  name: string;
  metadata: Record<string, string>;
}

export interface GeoIp {
  cityName?: string;
  continentCode?: string;
  countryCode?: string;
  countryCode3?: string;
  countryName?: string;
  latitude?: number;
  longitude?: number;
  subdivisionCode?: string;
  subdivisionName?: string;
  timeZone?: string;
}

export interface Request {
  ip: string;
  method: string;
  hostname?: string;
  language?: string;
  user_agent?: string;
  geoip: GeoIp;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
}

export interface Transaction {
  id?: string;
  locale: string;
  ui_locales: string[];
  protocol?: string;
  redirect_uri?: string;
  requested_scopes?: string[];
  response_mode?: string;
  response_type?: string[];
  state?: string;
  acr_values?: string[];
  login_hint?: string;
  prompt?: string[];
}

export interface Tenant {
  id: string;
}

export interface Organization {
  id: string;
  name: string;
  display_name: string;
  metadata: Record<string, string>;
}

export interface AuthenticationMethod {
  name: string;
  timestamp: string;
  type?: string;
}

/** Result of `api.cache.set`: Auth0 reports a failed write (too large, too many) instead of throwing. */
export type CacheWriteResult = { type: 'success' } | { type: 'error'; code: string };

export interface CacheEntry {
  value: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
}

/** `api.cache`: synchronous, per trigger, best effort; ttl and expires_at in milliseconds. */
export interface ActionCache {
  get(key: string): CacheEntry | undefined;
  set(key: string, value: string, options?: { ttl?: number; expires_at?: number }): CacheWriteResult;
  delete(key: string): CacheWriteResult;
}

// ---------------------------------------------------------------- post-login v3

export interface PostLoginEvent {
  user: User;
  connection: Connection;
  client: Client;
  request: Request;
  tenant: Tenant;
  secrets: Secrets;
  stats: { logins_count: number };
  transaction?: Transaction;
  organization?: Organization;
  authentication?: { methods: AuthenticationMethod[]; riskAssessment?: Metadata };
  authorization?: { roles: string[] };
  resource_server?: { identifier: string };
  session?: { id?: string; created_at?: string; updated_at?: string; authenticated_at?: string; device?: Metadata };
  refresh_token?: Metadata;
  prompt?: { id: string; name?: string };
}

export interface PostLoginApi {
  access: { deny(reason: string): PostLoginApi };
  user: {
    /** Not written at once: merged with the other Actions' changes and written when the trigger ends. */
    setAppMetadata(key: string, value: unknown): PostLoginApi;
    setUserMetadata(key: string, value: unknown): PostLoginApi;
  };
  cache: ActionCache;
  accessToken: {
    setCustomClaim(name: string, value: unknown): PostLoginApi;
    addScope(scope: string): PostLoginApi;
    removeScope(scope: string): PostLoginApi;
  };
  idToken: { setCustomClaim(name: string, value: unknown): PostLoginApi };
  multifactor: { enable(provider: string, options?: { allowRememberBrowser?: boolean }): PostLoginApi };
  redirect: {
    sendUserTo(url: string, options?: { query?: Record<string, string> }): PostLoginApi;
    encodeToken(options: { secret: string; payload: Metadata; expiresInSeconds?: number }): string;
    validateToken(options: { secret: string; tokenParameterName?: string }): Metadata;
  };
  authentication: {
    challengeWith(factor: { type: string }, options?: { additionalFactors?: { type: string }[] }): void;
    recordMethod(providerUrl: string): PostLoginApi;
  };
  samlResponse: { setAttribute(attribute: string, value: unknown): PostLoginApi };
}

// ------------------------------------------------------ post-user-registration v2

export interface PostUserRegistrationEvent {
  user: RegisteredUser;
  connection: Connection;
  tenant: Tenant;
  secrets: Secrets;
  request?: Request;
  transaction?: Transaction;
}

/** The only api of post-user-registration: metadata must be written through the Management API. */
export interface PostUserRegistrationApi {
  cache: ActionCache;
}

// -------------------------------------------------------- custom-email-provider v1

/**
 * The message types Auth0 documents for `event.notification.message_type`. Auth0 may add
 * more: code reading it must treat any other string as "some other email".
 */
export const EMAIL_MESSAGE_TYPES = [
  'verify_email',
  'verify_email_by_code',
  'reset_email',
  'reset_email_by_code',
  'welcome_email',
  'verification_code',
  'mfa_oob_code',
  'enrollment_email',
  'blocked_account',
  'stolen_credentials',
  'try_provider_configuration_email',
  'organization_invitation',
] as const;
export type EmailMessageType = (typeof EMAIL_MESSAGE_TYPES)[number];

/** `event.notification`: the email Auth0 rendered from its template, ready to deliver. */
export interface EmailNotification {
  /** The recipient Auth0 chose: the user's email (one address). */
  to: string;
  /** The template's `from`, else the email provider's `default_from_address`. */
  from: string;
  subject: string;
  html: string;
  text: string;
  /** The locale the message was rendered in, e.g. `en_US`. */
  locale: string;
  message_type: EmailMessageType | (string & {});
}

/**
 * `event.user` of custom-email-provider: the user the email is about, with its current
 * app_metadata and user_metadata (no identities, no login statistics), so no Management API
 * call is needed to read them.
 */
export interface NotifiedUser extends UserProfile {
  [other: string]: unknown;
}

/**
 * Auth0's own type definitions declare `user`, `client` and `request` on every event of this
 * trigger; they are optional here so that an email about no user (the dashboard's "Send test
 * email", `try_provider_configuration_email`) is still handled.
 */
export interface CustomEmailProviderEvent {
  notification: EmailNotification;
  user?: NotifiedUser;
  client?: Client;
  connection?: Connection;
  organization?: Organization;
  request?: { ip?: string; hostname?: string; user_agent?: string; query?: Record<string, string>; geoip?: GeoIp };
  tenant: Tenant & { friendly_name?: string; home_url?: string; logo_url?: string; support_email?: string; support_url?: string };
  transaction?: { correlation_id?: string };
  custom_domain?: { domain: string; domain_metadata: Record<string, string> };
  secrets: Secrets;
}

export interface CustomEmailProviderApi {
  notification: {
    /**
     * The delivery failed but may succeed later: Auth0 logs it and runs the Action again for
     * this email, up to 5 times over the next minutes. Only the last retry/drop call counts.
     */
    retry(reason: string): void;
    /** The delivery failed for good: Auth0 logs it and never tries this email again. */
    drop(reason: string): void;
  };
  cache: ActionCache;
}

// ------------------------------------------------ password-reset-post-challenge v1

/**
 * docs-v2 customize/actions/explore-triggers/password-reset-triggers/post-challenge-trigger/
 * post-challenge-event-object.mdx: runs once the user has passed the reset's challenge (opened
 * the emailed link), before the new password is chosen. Auth0 runs it only when the reset has an
 * application (`client_id`; auth0 SDK `ChangePasswordTicketRequestContent.client_id`).
 */
export interface PasswordResetPostChallengeEvent {
  user: User;
  client: Client;
  connection: Connection;
  request: Request;
  tenant: Tenant;
  secrets: Secrets;
  transaction: { locale: string; ui_locales: string[]; state?: string; login_hint?: string; correlation_id?: string };
  authentication?: { methods: AuthenticationMethod[] };
  authorization?: { roles: string[] };
  organization?: Organization;
  stats?: { logins_count: number };
}

/** post-challenge-api-object.mdx; only the parts this project's Actions may call are typed in full. */
export interface PasswordResetPostChallengeApi {
  access: { deny(reason: string): void };
  cache: ActionCache;
  transaction: {
    /** Where the browser goes after the password reset, with `query` appended (Universal Login ignores the reset template's Redirect To). */
    setResultUrl(url: string, options?: { query?: Record<string, string> }): void;
  };
}

export type PostLoginHandler = (event: PostLoginEvent, api: PostLoginApi) => Promise<void>;
export type PostUserRegistrationHandler = (event: PostUserRegistrationEvent, api: PostUserRegistrationApi) => Promise<void>;
export type PasswordResetPostChallengeHandler = (
  event: PasswordResetPostChallengeEvent,
  api: PasswordResetPostChallengeApi,
) => Promise<void>;
export type CustomEmailProviderHandler = (event: CustomEmailProviderEvent, api: CustomEmailProviderApi) => Promise<void>;
