import type { ManagementClient } from 'auth0';
import { readDatabaseConnections, type DatabaseConnectionConfig } from '../build/tenant-connections';

/**
 * What a database connection's options say about identifying its users, as Auth0 reads them:
 * flexible identifiers (`options.attributes`) when present, else the legacy `requires_username`.
 *
 * - On a connection with unique emails, the email identifies the user (and the username too,
 *   when the connection has usernames: both are unique).
 * - On a connection with `attributes.email.unique === false` (e.g. `shared-inbox`), several users
 *   share an email; only the username identifies one.
 */
export interface ConnectionIdentity {
  name: string;
  emailUnique: boolean;
  emailRequired: boolean;
  usernameAllowed: boolean;
  usernameRequired: boolean;
}

interface ConnectionOptions {
  requires_username?: unknown;
  attributes?: {
    email?: AttributeOptions;
    username?: AttributeOptions;
  };
}

interface AttributeOptions {
  unique?: unknown;
  profile_required?: unknown;
  signup?: { status?: unknown };
  identifier?: { active?: unknown };
}

export function connectionIdentity(name: string, options: unknown): ConnectionIdentity {
  const opts = (typeof options === 'object' && options !== null ? options : {}) as ConnectionOptions;
  const attributes = opts.attributes;
  if (attributes === undefined) {
    const requiresUsername = opts.requires_username === true;
    return { name, emailUnique: true, emailRequired: true, usernameAllowed: requiresUsername, usernameRequired: requiresUsername };
  }
  const required = (attr: AttributeOptions | undefined) =>
    attr?.profile_required === true || attr?.signup?.status === 'required' || attr?.identifier?.active === true;
  return {
    name,
    emailUnique: attributes.email?.unique !== false,
    emailRequired: attributes.email !== undefined && required(attributes.email),
    usernameAllowed: attributes.username !== undefined,
    usernameRequired: attributes.username !== undefined && required(attributes.username),
  };
}

/** Database connections by name. */
export interface ConnectionDirectory {
  find(name: string): Promise<ConnectionIdentity | undefined>;
}

/** The tenant's connections through the Management API (`read:connections`), one request per name, cached. */
export function connectionsFromTenant(client: ManagementClient): ConnectionDirectory {
  const cache = new Map<string, Promise<ConnectionIdentity | undefined>>();
  return {
    find(name) {
      let found = cache.get(name);
      if (found === undefined) {
        found = client.connections.list({ name, strategy: 'auth0' }).then((page) => {
          const connection = page.data.find((c) => c.name === name);
          return connection === undefined ? undefined : connectionIdentity(name, connection.options);
        });
        // A failed lookup is not cached: the next row asks again.
        found.catch(() => cache.delete(name));
        cache.set(name, found);
      }
      return found;
    },
  };
}

/** The connections of a deploy-cli directory (`tenant/`), for a dry run without credentials. */
export function connectionsFromConfig(tenantDir: string): ConnectionDirectory {
  const connections = new Map(
    readDatabaseConnections(tenantDir)
      .filter((c: DatabaseConnectionConfig) => c.strategy === undefined || c.strategy === 'auth0')
      .map((c) => [c.name, connectionIdentity(c.name, c.options)] as const),
  );
  return { find: (name) => Promise.resolve(connections.get(name)) };
}
