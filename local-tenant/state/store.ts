import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { Outbox } from '../mail';
import { SearchIndex } from './search-index';
import type {
  ActionExecutionRecord,
  ClientGrantRecord,
  ClientRecord,
  ConnectionRecord,
  JsonObject,
  ResourceServerRecord,
  TenantData,
  UserRecord,
} from './types';

export function emptyTenantData(): TenantData {
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
  };
}

/** Random id with Auth0's prefixes (`act_`-like ids are UUIDs in Auth0; hex is enough locally). */
export function randomId(prefix = '', bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export interface TenantStoreOptions {
  /** When set, the state is loaded from this file at start and written back after each change. */
  dataFile?: string;
  /** How long a user write takes to show in user search (the profile's `searchIndexLagMs`); 0 by default. */
  searchIndexLagMs?: number;
}

/**
 * Owner of the tenant state. Handlers mutate `data` and then call `changed()`, which
 * persists the whole state atomically (temp file + rename) when a data file is configured,
 * so a crash never leaves a half-written file.
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

  /** Call after every mutation. */
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
    if (existing) {
      existing.scope = [...scope];
      this.changed();
      return existing;
    }
    const grant: ClientGrantRecord = { id: randomId('cgr_', 8), client_id: clientId, audience, scope: [...scope] };
    this.data.client_grants.push(grant);
    this.changed();
    return grant;
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
    for (const id of ids) this.searchIndex.deleted(id);
    this.changed();
    return removed.length;
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

export function loadTenantData(file: string): TenantData {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<TenantData>;
  if (parsed.version !== 1) throw new Error(`Unsupported local tenant data file version in ${file}`);
  // Fill collections added after the file was written.
  return { ...emptyTenantData(), ...parsed } as TenantData;
}

export function writeTenantDataAtomically(file: string, data: TenantData): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(data, null, 2), { mode: 0o600 });
  renameSync(temp, file);
}
