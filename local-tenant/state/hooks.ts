import type { EmailNotification } from '../../actions/shared/auth0-actions';
import type { ClientRecord, ConnectionRecord, UserRecord } from './types';

/** The HTTP request that caused a trigger, in the shape Auth0 gives to `event.request`. */
export interface TriggerRequestInfo {
  ip: string;
  method: string;
  hostname: string;
  user_agent?: string;
  /** Raw Accept-Language header, e.g. `fr-CA,fr;q=0.9`. */
  language?: string;
  query: Record<string, string>;
  /** Form or JSON body with the password removed. */
  body: Record<string, string>;
}

export interface UserCreatedContext {
  /** How the user was created: Management API `POST /api/v2/users` or `/dbconnections/signup`. */
  via: 'management-api' | 'signup';
  request?: TriggerRequestInfo;
}

export interface LoginContext {
  /** The user after this login was counted (`logins_count` already incremented, as in event.stats). */
  user: UserRecord;
  connection: ConnectionRecord;
  /** The application the login is for; undefined when the login page was opened without client_id. */
  client: ClientRecord | undefined;
  request: TriggerRequestInfo;
  transaction?: LoginTransaction;
}

/** What `event.transaction` tells of the login: the protocol and what the application asked for. */
export interface LoginTransaction {
  locale?: string;
  ui_locales: string[];
  redirect_uri?: string;
  /** `oidc-basic-profile` (authorization code), `oauth2-refresh-token`, `oauth2-password`; the login page's by default. */
  protocol?: string;
  requested_scopes?: string[];
  response_mode?: string;
  response_type?: string[];
  state?: string;
  login_hint?: string;
  prompt?: string[];
}

/** Claims the Actions set with api.idToken / api.accessToken.setCustomClaim, for the tokens this login issues. */
export interface CustomClaims {
  idToken: Record<string, unknown>;
  accessToken: Record<string, unknown>;
}

export type LoginOutcome = { allowed: true; claims?: CustomClaims } | { allowed: false; reason: string };

/** A password reset whose challenge (the emailed link) was passed, for an application. */
export interface PasswordResetChallengeContext {
  user: UserRecord;
  connection: ConnectionRecord;
  client: ClientRecord;
  request: TriggerRequestInfo;
}

/** `resultUrl`: what `api.transaction.setResultUrl` chose (with its query), when an Action called it. */
export type PasswordResetChallengeOutcome = { allowed: true; resultUrl?: string } | { allowed: false; reason: string };

/**
 * Trigger hooks injected by the Actions runtime. The server awaits them (so that tests see
 * their effects when the HTTP call returns) but, like Auth0's post-user-registration trigger,
 * a failing `onUserCreated` never fails the user creation.
 */
export interface TenantHooks {
  // Function properties, not methods: the server takes a hook out of the object and calls it later.
  /** post-user-registration: after a user is stored in a database connection. */
  onUserCreated?: (user: UserRecord, connection: ConnectionRecord, context: UserCreatedContext) => Promise<void>;
  /** post-login: after the password was checked. `{ allowed: false }` is `api.access.deny(reason)`. */
  onLogin?: (context: LoginContext) => Promise<LoginOutcome>;
  /**
   * password-reset-post-challenge: once the person opened a reset link of a reset with an
   * application; `{ allowed: false }` is `api.access.deny(reason)`.
   */
  onPasswordResetChallenge?: (context: PasswordResetChallengeContext) => Promise<PasswordResetChallengeOutcome>;
  /**
   * custom-email-provider: delivers an Auth0 email when the tenant's email provider is
   * `custom`, retrying as Auth0 does when the Action calls api.notification.retry.
   */
  onCustomEmail?: (context: CustomEmailContext) => Promise<CustomEmailOutcome>;
}

/** An email Auth0 hands to the custom email provider, with what the trigger's event tells about it. */
export interface CustomEmailContext {
  /** `event.notification`: the Auth0 email, rendered, ready to deliver. */
  notification: EmailNotification;
  user?: UserRecord | undefined;
  connection?: ConnectionRecord | undefined;
  client?: ClientRecord | undefined;
  request?: TriggerRequestInfo | undefined;
}

/**
 * What became of it: accepted (the Action ended without retry or drop), dropped by the Action,
 * or failed (every retry asked for, or no Action to run).
 */
export type CustomEmailOutcome =
  | { status: 'accepted'; attempts: number }
  | { status: 'dropped'; attempts: number; reason: string }
  | { status: 'failed'; attempts: number; reason: string };
