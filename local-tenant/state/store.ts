import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Outbox } from '../mail';
import { SearchIndex } from './search-index';
import type {
  ActionExecutionRecord,
  ActionRecord,
  ActionVersionRecord,
  ClientGrantRecord,
  ClientRecord,
  ConnectionRecord,
  EmailProviderRecord,
  EmailTemplateRecord,
  JsonObject,
  ResourceServerRecord,
  RoleRecord,
  TenantData,
  TriggerBindingRecord,
  UserRecord,
} from './types';

function emptyTenantData(): TenantData {
  return {
    version: 1,
    tenant: {},
    clients: [],
    client_grants: [],
    resource_servers: [],
    connections: [],
    users: [],
    actions: [],
    action_versions: [],
    trigger_bindings: [],
    email_templates: [],
    email_provider: null,
    tickets: [],
    outbox: { version: 1, emails: [] },
    action_executions: [],
    roles: [],
    role_members: [],
  };
}

/** Random id with Auth0's prefixes (`act_`-like ids are UUIDs in Auth0; hex is enough locally). */
export function randomId(prefix = '', bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** The collections of records that are added and removed one by one (users have their own methods). */
type RecordCollection =
  | 'clients'
  | 'client_grants'
  | 'resource_servers'
  | 'connections'
  | 'actions'
  | 'action_versions'
  | 'trigger_bindings'
  | 'action_executions'
  | 'email_templates'
  | 'tickets';
type RecordOf<K extends RecordCollection> = TenantData[K][number];

interface TenantStoreOptions {
  /** When set, the state is loaded from this file at start and written back after each change. */
  dataFile?: string;
  /** How long a user write takes to show in user search (the profile's `searchIndexLagMs`); 0 by default. */
  searchIndexLagMs?: number;
}

/**
 * Owner of the tenant state: its methods make each change and persist it (`changed()`: the
 * whole state, atomically, temp file + rename, when a data file is configured, so a crash never
 * leaves a half-written file). Handlers read `data` and change it through these methods.
 */
export class TenantStore {
  data: TenantData;
  /** Every email Auth0 or SendGrid "sent"; owned by the mail module, persisted with the rest. */
  readonly outbox = new Outbox();
  readonly dataFile: string | undefined;
  /** User search's view of the users, which trails the writes below. */
  readonly searchIndex: SearchIndex;
  private readonly listeners = new Set<() => void>();

  constructor(options: TenantStoreOptions = {}) {
    this.dataFile = options.dataFile;
    this.data = this.dataFile && existsSync(this.dataFile) ? loadTenantData(this.dataFile) : emptyTenantData();
    this.outbox.restore(this.data.outbox);
    this.searchIndex = new SearchIndex(options.searchIndexLagMs ?? 0, this.data.users);
    this.outbox.subscribe(() => this.changed());
  }

  /** Stores a new record in its collection. */
  add<K extends RecordCollection>(collection: K, record: RecordOf<K>): RecordOf<K> {
    (this.data[collection] as RecordOf<K>[]).push(record);
    this.changed();
    return record;
  }

  /** Deletes the records of a collection that `matches` picks; returns how many. */
  remove<K extends RecordCollection>(collection: K, matches: (record: RecordOf<K>) => boolean): number {
    const records = this.data[collection] as RecordOf<K>[];
    const kept = records.filter((record) => !matches(record));
    if (kept.length === records.length) return 0;
    (this.data as unknown as Record<K, RecordOf<K>[]>)[collection] = kept;
    this.changed();
    return records.length - kept.length;
  }

  /** Changes a stored record (or several) in place: `edit` sets the fields; then the state is persisted. */
  update<T>(record: T, edit: (record: T) => void): T {
    edit(record);
    this.changed();
    return record;
  }

  /**
   * A machine-to-machine application the tenant is started with: created, or its secret set
   * (a data file from an earlier run keeps the client).
   */
  ensureMachineClient(machine: { client_id: string; client_secret: string; name?: string }): void {
    const existing = this.findClient(machine.client_id);
    if (existing) {
      this.update(existing, (client) => (client.client_secret = machine.client_secret));
      return;
    }
    this.add('clients', {
      client_id: machine.client_id,
      client_secret: machine.client_secret,
      name: machine.name ?? 'Local tenant deploy client',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
      is_first_party: true,
      callbacks: [],
      allowed_origins: [],
      web_origins: [],
      token_endpoint_auth_method: 'client_secret_post',
      client_metadata: {},
    });
  }

  /** Deletes a client with its grants, and takes it off every connection, as Auth0 does. */
  removeClient(client: ClientRecord): void {
    this.data.clients = this.data.clients.filter((c) => c !== client);
    this.data.client_grants = this.data.client_grants.filter((g) => g.client_id !== client.client_id);
    for (const connection of this.data.connections) {
      connection.enabled_clients = connection.enabled_clients.filter((id) => id !== client.client_id);
    }
    this.changed();
  }

  /** Deletes an API with its client grants, as Auth0 does (a grant names an existing audience). */
  removeResourceServer(server: ResourceServerRecord): void {
    this.data.resource_servers = this.data.resource_servers.filter((rs) => rs !== server);
    this.data.client_grants = this.data.client_grants.filter((g) => g.audience !== server.identifier);
    this.changed();
  }

  /** Deletes a connection and its users (with their tickets). */
  removeConnection(connection: ConnectionRecord): void {
    this.data.connections = this.data.connections.filter((c) => c !== connection);
    this.removeUsers((u) => u.connection === connection.name);
    this.changed();
  }

  /** Deletes an Action with its versions and its trigger bindings. */
  removeAction(action: ActionRecord): void {
    this.data.trigger_bindings = this.data.trigger_bindings.filter((b) => b.action_id !== action.id);
    this.data.action_versions = this.data.action_versions.filter((v) => v.action_id !== action.id);
    this.data.actions = this.data.actions.filter((a) => a !== action);
    this.changed();
  }

  /**
   * A new version of an Action, deployed: the others are no longer deployed, and the oldest
   * undeployed ones beyond `maxVersions` are deleted (Auth0 keeps a bounded history).
   */
  deployActionVersion(action: ActionRecord, version: ActionVersionRecord, maxVersions: number): void {
    const versions = this.data.action_versions.filter((v) => v.action_id === action.id);
    for (const earlier of versions) earlier.deployed = false;
    this.data.action_versions.push(version);
    action.deployed_version_id = version.id;
    action.all_changes_deployed = true;
    const history = [...versions, version].sort((a, b) => a.number - b.number);
    const excess = new Set(history.filter((v) => v.id !== version.id).slice(0, Math.max(0, history.length - maxVersions)));
    if (excess.size > 0) this.data.action_versions = this.data.action_versions.filter((v) => !excess.has(v));
    this.changed();
  }

  /** A trigger's bindings, all replaced by `bindings` (in their order). */
  replaceTriggerBindings(triggerId: string, bindings: readonly TriggerBindingRecord[]): void {
    this.data.trigger_bindings = [...this.data.trigger_bindings.filter((b) => b.trigger_id !== triggerId), ...bindings];
    this.changed();
  }

  /** An email template stored in place of `current` (none: added). */
  replaceEmailTemplate(current: EmailTemplateRecord | undefined, next: EmailTemplateRecord): void {
    this.data.email_templates = [...this.data.email_templates.filter((t) => t !== current), next];
    this.changed();
  }

  /** The tenant's email provider (null: none). */
  setEmailProvider<P extends EmailProviderRecord | null>(provider: P): P {
    this.data.email_provider = provider;
    this.changed();
    return provider;
  }

  /** The tenant's settings, all of them. */
  setTenantSettings(settings: JsonObject): void {
    this.data.tenant = settings;
    this.changed();
  }

  /** Persists the state and tells the listeners; the methods above call it after each change. */
  changed(): void {
    // The outbox's copy is only for the file: copying every email on every change made a run of
    // thousands of users quadratic.
    if (this.dataFile) {
      this.data.outbox = this.outbox.snapshot();
      writeTenantDataAtomically(this.dataFile, this.data);
    }
    for (const listener of this.listeners) listener();
  }

  /** Subscribe to changes (e.g. a page that refreshes); returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  findClient(clientId: string): ClientRecord | undefined {
    return this.data.clients.find((c) => c.client_id === clientId);
  }

  /** The client's grant for an API (audience), if it has one. */
  findClientGrant(clientId: string, audience: string): ClientGrantRecord | undefined {
    return this.data.client_grants.find((g) => g.client_id === clientId && g.audience === audience);
  }

  /**
   * Grant the client exactly these scopes for the audience (creating the grant or replacing its
   * scopes): how the local tenant's own applications get their grants at start.
   */
  setClientGrant(clientId: string, audience: string, scope: readonly string[]): ClientGrantRecord {
    const existing = this.findClientGrant(clientId, audience);
    if (existing) return this.update(existing, (grant) => (grant.scope = [...scope]));
    return this.add('client_grants', { id: randomId('cgr_', 8), client_id: clientId, audience, scope: [...scope] });
  }

  /** The API whose identifier (audience) this is, if the developer defined one. */
  findResourceServer(identifier: string): ResourceServerRecord | undefined {
    return this.data.resource_servers.find((rs) => rs.identifier === identifier);
  }

  findConnectionByName(name: string): ConnectionRecord | undefined {
    return this.data.connections.find((c) => c.name === name);
  }

  findConnectionById(id: string): ConnectionRecord | undefined {
    return this.data.connections.find((c) => c.id === id);
  }

  findUser(userId: string): UserRecord | undefined {
    return this.data.users.find((u) => u.user_id === userId);
  }

  /** Stores a new user. */
  addUser(user: UserRecord): void {
    this.data.users.push(user);
    this.searchIndex.written(user);
    this.changed();
  }

  /** Call after changing a user's fields in place (login count, password, verification): `updated_at` moves, search learns it after its lag. */
  userChanged(user: UserRecord): void {
    user.updated_at = nowIso();
    this.searchIndex.written(user);
    this.changed();
  }

  /** Deletes the users that match, and their tickets; returns how many. */
  removeUsers(matches: (user: UserRecord) => boolean): number {
    const removed = this.data.users.filter(matches);
    if (removed.length === 0) return 0;
    const ids = new Set(removed.map((u) => u.user_id));
    this.data.users = this.data.users.filter((u) => !ids.has(u.user_id));
    this.data.tickets = this.data.tickets.filter((t) => !ids.has(t.user_id));
    this.data.role_members = this.data.role_members.filter((m) => !ids.has(m.user_id));
    for (const id of ids) this.searchIndex.deleted(id);
    this.changed();
    return removed.length;
  }

  /** A new role (Auth0's ids: `rol_` and 16 letters or digits, go-auth0 TestUserManager_Roles.yaml #1). */
  createRole(name: string, description = ''): RoleRecord {
    const role: RoleRecord = { id: `rol_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16)}`, name, description };
    this.data.roles.push(role);
    this.changed();
    return role;
  }

  findRole(roleId: string): RoleRecord | undefined {
    return this.data.roles.find((r) => r.id === roleId);
  }

  /** Gives the user the roles it does not have yet: assigning one it has changes nothing (the call is idempotent). */
  assignRoles(userId: string, roleIds: readonly string[]): void {
    const held = new Set(this.rolesOf(userId).map((r) => r.id));
    for (const roleId of new Set(roleIds)) if (!held.has(roleId)) this.data.role_members.push({ user_id: userId, role_id: roleId });
    this.changed();
  }

  /** The roles given to the user, in the order they were given. */
  rolesOf(userId: string): RoleRecord[] {
    return this.data.role_members.flatMap((m) => {
      const role = m.user_id === userId ? this.findRole(m.role_id) : undefined;
      return role !== undefined ? [role] : [];
    });
  }

  /** The users user search shows now (see SearchIndex). */
  searchableUsers(): UserRecord[] {
    return this.searchIndex.users(this.data.users);
  }

  /**
   * Merge metadata one level deep, as PATCH /api/v2/users/{id} does: top-level keys are
   * replaced, a `null` value deletes the key.
   */
  mergeUserMetadata(user: UserRecord, patch: { app_metadata?: JsonObject; user_metadata?: JsonObject }): void {
    if (patch.app_metadata) user.app_metadata = mergeOneLevel(user.app_metadata, patch.app_metadata);
    if (patch.user_metadata) user.user_metadata = mergeOneLevel(user.user_metadata, patch.user_metadata);
    this.userChanged(user);
  }

  /** For the Actions runtime: keep the record of one trigger execution (logs per action). */
  appendActionExecution(record: Omit<ActionExecutionRecord, 'id'> & Partial<Pick<ActionExecutionRecord, 'id'>>): ActionExecutionRecord {
    const stored: ActionExecutionRecord = { ...record, id: record.id ?? randomId('exec_') };
    this.data.action_executions.push(stored);
    this.changed();
    return stored;
  }
}

export function mergeOneLevel(current: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

function loadTenantData(file: string): TenantData {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<TenantData>;
  if (parsed.version !== 1) throw new Error(`Unsupported local tenant data file version in ${file}`);
  // Fill collections added after the file was written.
  return { ...emptyTenantData(), ...parsed };
}

function writeTenantDataAtomically(file: string, data: TenantData): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(data, null, 2), { mode: 0o600 });
  renameSync(temp, file);
}
