import type { ManagementClient } from 'auth0';
import type { DatabaseConnectionConfig } from '../build/tenant-connections';

/**
 * Connection changes a deploy must never make by accident, checked against the tenant's own
 * connections (read only) before deploy-cli runs:
 *
 * 1. `options.attributes.email.unique` of an existing connection. Auth0 creates non-unique email
 *    support on new database connections only, and never turns it back to unique ("Irreversible
 *    settings", Non-Unique Emails). deploy-cli would send the PATCH anyway, after having written
 *    other resources.
 * 2. Dropping flexible identifiers: Auth0 cannot disable them once a connection has them, and
 *    deploy-cli deletes `options.attributes` from the update when the bundle gives the legacy
 *    `requires_username` or `validation` instead.
 * 3. A rename. deploy-cli matches connections by name: a renamed folder creates a new, empty
 *    connection and leaves the old one, with every user, where it was (deletion is off). Rule:
 *    when the bundle creates a connection while a connection this project deployed before
 *    (`metadata.managed_by`) is no longer in the bundle, the deploy is refused, users or not: it
 *    cannot tell a rename from a replacement, and deleting or renaming the old connection stays
 *    a deliberate step in the tenant. A connection dropped from the bundle with no new one is
 *    left alone and reported by the plan.
 * 4. A name taken in the tenant by a connection of another strategy: Auth0 refuses a second
 *    connection of that name (409) halfway through the import.
 */

/** Written in every `tenant/database-connections/<name>/database.json` as `metadata.managed_by`. */
export const MANAGED_BY = 'auth0-email-flows';

/** A connection as the Management API returns it (the fields these rules read). */
export interface TenantConnection {
  id?: string;
  name: string;
  strategy?: string;
  metadata?: Record<string, unknown>;
  options?: TenantConnectionOptions;
}

type TenantConnectionOptions = { attributes?: { email?: { unique?: boolean } }; requires_username?: boolean; validation?: unknown };

/** The bundle's own rule: every database connection carries the marker the rename rule relies on. */
export function bundleConnectionProblems(bundle: readonly DatabaseConnectionConfig[]): string[] {
  return bundle
    .filter((connection) => connection.metadata?.managed_by !== MANAGED_BY)
    .map(
      (connection) =>
        `Connection "${connection.name}" (database-connections/${connection.name}/database.json) lacks "metadata": { "managed_by": "${MANAGED_BY}" }: ` +
        'without it a later rename of this connection could not be detected.',
    );
}

/** Auth0's default is unique emails: only an explicit `false` makes them shared. */
function emailUnique(options: TenantConnection['options'] | DatabaseConnectionConfig['options']): boolean {
  return options?.attributes?.email?.unique !== false;
}

/** The connection changes of this bundle that Auth0 cannot make, or that would orphan users. */
export function connectionChangeProblems(bundle: readonly DatabaseConnectionConfig[], tenant: readonly TenantConnection[]): string[] {
  const problems: string[] = [];
  const inTenant = new Map(tenant.map((connection) => [connection.name, connection]));
  const inBundle = new Set(bundle.map((connection) => connection.name));

  for (const wanted of bundle) {
    const existing = inTenant.get(wanted.name);
    if (existing === undefined) continue;
    if (existing.strategy !== undefined && existing.strategy !== (wanted.strategy ?? 'auth0')) {
      problems.push(
        `Connection "${wanted.name}" already exists in the tenant as a ${existing.strategy} connection: ` +
          'Auth0 keeps connection names unique, so the database connection cannot be created. Rename it in the bundle.',
      );
      continue;
    }
    const existingAttributes = existing.options?.attributes !== undefined;
    const wantedAttributes = wanted.options?.attributes !== undefined;
    const wantedLegacy = wanted.options?.requires_username !== undefined || wanted.options?.validation !== undefined;
    if (existingAttributes && !wantedAttributes && wantedLegacy) {
      problems.push(
        `Connection "${wanted.name}" uses flexible identifiers (options.attributes) in the tenant, and the bundle replaces them with ` +
          'requires_username/validation: Auth0 cannot disable flexible identifiers on an existing connection.',
      );
      continue;
    }
    // Without `attributes` in the bundle, deploy-cli merges the tenant's options: uniqueness stays as it is.
    if (!wantedAttributes) continue;
    const before = emailUnique(existing.options);
    const after = emailUnique(wanted.options);
    if (before !== after) {
      problems.push(
        `Connection "${wanted.name}" exists in the tenant with options.attributes.email.unique: ${before}, and the bundle sets it to ${after}: ` +
          'Auth0 cannot change email uniqueness on an existing connection (non-unique emails only on a new connection, and never back). ' +
          `Keep ${before} for "${wanted.name}", or create a connection with a new name and move its users.`,
      );
    }
  }

  const created = bundle.filter((connection) => !inTenant.has(connection.name)).map((connection) => connection.name);
  const dropped = tenant
    .filter((connection) => connection.metadata?.managed_by === MANAGED_BY && !inBundle.has(connection.name))
    .map((connection) => connection.name);
  if (created.length > 0 && dropped.length > 0) {
    const quote = (names: string[]) => names.map((name) => `"${name}"`).join(', ');
    problems.push(
      `Connection rename: the tenant has ${quote(dropped)} (deployed by this project) and the bundle no longer does, while it creates ${quote(created)}. ` +
        'deploy-cli matches connections by name, so it would create a new, empty connection and leave the users on the old one. ' +
        `Rename it back in tenant/database-connections/; to replace a connection on purpose, delete or rename ${quote(dropped)} in the tenant first.`,
    );
  }
  return problems;
}

/** Every connection of the tenant, read through the Management API (GET only). */
export async function readTenantConnections(client: ManagementClient): Promise<TenantConnection[]> {
  const connections: TenantConnection[] = [];
  for await (const connection of await client.connections.list({ take: 50 })) {
    if (typeof connection.name !== 'string') continue;
    connections.push({
      name: connection.name,
      ...(connection.id !== undefined ? { id: connection.id } : {}),
      ...(connection.strategy !== undefined ? { strategy: connection.strategy } : {}),
      ...(connection.metadata !== undefined ? { metadata: connection.metadata } : {}),
      ...(connection.options !== undefined ? { options: connection.options } : {}),
    });
  }
  return connections;
}
