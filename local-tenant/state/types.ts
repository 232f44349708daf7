/**
 * Records of the local tenant's in-memory state. Shapes follow the Auth0 Management API
 * objects (snake_case, ISO 8601 dates) so that handlers can return them almost as stored.
 * Everything here is JSON-serialisable: the whole TenantData is what `--data` persists.
 */

import type { OutboxSnapshot } from '../mail';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An application. Auth0 clients carry many fields; the ones deploy-cli sends are kept as given. */
export interface ClientRecord extends JsonObject {
  client_id: string;
  client_secret: string;
  name: string;
}

/**
 * A client grant: the scopes an application may request for an API (`audience`). The only API
 * here is the Management API, `https://{domain}/api/v2/`.
 */
export interface ClientGrantRecord extends JsonObject {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
}

/** A permission an API defines, as `scopes[]` lists it: `{ value, description }`. */
export interface ResourceServerScope extends JsonObject {
  value: string;
  description: string;
}

/**
 * An API (resource server) the developer defined: the audience applications ask tokens for.
 * Fields as a real tenant answers them (go-auth0 recording TestResourceServer_Create); the
 * Management API itself is not stored here (its audience is known by domain).
 */
export interface ResourceServerRecord extends JsonObject {
  id: string;
  name: string;
  identifier: string;
  scopes: ResourceServerScope[];
  signing_alg: string;
  allow_offline_access: boolean;
  token_lifetime: number;
  token_lifetime_for_web: number;
  skip_consent_for_verifiable_first_party_clients: boolean;
}

/** A connection; `options.attributes` drives identifiers and email uniqueness. */
export interface ConnectionRecord extends JsonObject {
  id: string;
  name: string;
  strategy: string;
  options: JsonObject;
  /** Kept apart because Auth0 moved it to /connections/{id}/clients; deploy-cli uses both. */
  enabled_clients: string[];
}

export interface UserRecord {
  user_id: string;
  connection: string;
  email?: string;
  username?: string;
  email_verified: boolean;
  /** scrypt hash as `scrypt$<log2 N>$<salt b64>$<hash b64>` (or, written before the cost was kept, `scrypt$<salt b64>$<hash b64>`); never returned by the API. */
  password_hash?: string;
  /** Hashes of earlier passwords, newest first, for the connection's `password_history` rule. */
  password_history?: string[];
  app_metadata: JsonObject;
  user_metadata: JsonObject;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  blocked: boolean;
  logins_count: number;
  last_login?: string;
  created_at: string;
  updated_at: string;
}

export interface ActionSecretRecord {
  name: string;
  /** Write-only through the API (Auth0 never returns secret values); the runtime reads it. */
  value: string;
  updated_at: string;
}

export interface ActionDependency {
  name: string;
  version: string;
  registry_url?: string;
}

export interface ActionTriggerRef {
  id: string;
  version: string;
  url?: string;
}

export interface ActionVersionRecord {
  id: string;
  action_id: string;
  number: number;
  code: string;
  runtime: string;
  dependencies: ActionDependency[];
  secrets: ActionSecretRecord[];
  supported_triggers: ActionTriggerRef[];
  deployed: boolean;
  status: 'built';
  created_at: string;
  updated_at: string;
}

export interface ActionRecord {
  id: string;
  name: string;
  code: string;
  runtime: string;
  dependencies: ActionDependency[];
  secrets: ActionSecretRecord[];
  supported_triggers: ActionTriggerRef[];
  /**
   * When the draft's build ends (ISO). Auth0 builds every draft asynchronously after a create or
   * PATCH: the action reads `pending` until then, `built` after (see `actionBuildMs`).
   */
  built_at: string;
  created_at: string;
  updated_at: string;
  /** Id of the version currently deployed, if any. */
  deployed_version_id?: string;
  /** True when the draft equals the deployed version (Auth0's `all_changes_deployed`). */
  all_changes_deployed: boolean;
}

export interface TriggerBindingRecord {
  id: string;
  trigger_id: string;
  action_id: string;
  display_name: string;
  created_at: string;
  updated_at: string;
}

export interface EmailTemplateRecord extends JsonObject {
  template: string;
  body: string;
  from: string;
  subject: string;
  syntax: string;
  resultUrl: string;
  urlLifetimeInSeconds: number;
  enabled: boolean;
}

export interface EmailProviderRecord extends JsonObject {
  name: string;
  enabled: boolean;
  default_from_address: string;
  /** Write-only, as in Auth0. */
  credentials: JsonObject;
  settings: JsonObject;
}

export type TicketKind = 'password-change' | 'email-verification';

export interface TicketRecord {
  /** The random value in the `ticket=` query parameter. */
  id: string;
  kind: TicketKind;
  user_id: string;
  result_url?: string;
  client_id?: string;
  mark_email_as_verified: boolean;
  include_email_in_redirect: boolean;
  /** Set for tickets made by /dbconnections/change_password: Auth0 verifies the email after such a reset. */
  from_emailed_link: boolean;
  created_at: string;
  expires_at: string;
  used_at?: string;
  /**
   * What password-reset-post-challenge decided when the link was opened: run once per ticket,
   * as Auth0 runs it once per reset transaction. `result_url` is `api.transaction.setResultUrl`'s.
   */
  post_challenge?: { denied?: string; result_url?: string };
}

export interface ActionExecutionLog {
  action_id: string;
  action_name: string;
  /** Captured console output lines, as Auth0 keeps per execution. */
  logs: string[];
  error?: string;
  duration_ms: number;
}

/** What became of an email after one custom-email-provider execution (Auth0 logs each attempt). */
export interface EmailNotificationOutcome {
  message_type: string;
  /** 1 for the first delivery, then 2.. for Auth0's retries. */
  attempt: number;
  /** `accepted`: the Action ended without retry or drop; `failed`: no Action could run. */
  outcome: 'accepted' | 'retry' | 'drop' | 'failed';
  /** The reason the Action gave to api.notification.retry/drop, or why the attempt failed. */
  reason?: string;
}

export interface ActionExecutionRecord {
  id: string;
  trigger_id: string;
  user_id?: string;
  started_at: string;
  ended_at: string;
  status: 'final' | 'partial' | 'unspecified';
  results: ActionExecutionLog[];
  /** custom-email-provider executions only. */
  notification?: EmailNotificationOutcome;
}

/** A role of the tenant's RBAC (go-auth0 TestUserManager_Roles.yaml #1: `id` rol_..., `name`, `description`). */
export interface RoleRecord {
  id: string;
  name: string;
  description: string;
}

/** One role given to one user (`POST /api/v2/users/{id}/roles`). */
export interface RoleMemberRecord {
  user_id: string;
  role_id: string;
}

export interface TenantData {
  version: 1;
  tenant: JsonObject;
  clients: ClientRecord[];
  client_grants: ClientGrantRecord[];
  resource_servers: ResourceServerRecord[];
  connections: ConnectionRecord[];
  users: UserRecord[];
  actions: ActionRecord[];
  action_versions: ActionVersionRecord[];
  trigger_bindings: TriggerBindingRecord[];
  email_templates: EmailTemplateRecord[];
  email_provider: EmailProviderRecord | null;
  tickets: TicketRecord[];
  /** The mail module's outbox (local-tenant/mail), kept as its snapshot. */
  outbox: OutboxSnapshot;
  action_executions: ActionExecutionRecord[];
  roles: RoleRecord[];
  role_members: RoleMemberRecord[];
}
