import type { ConnectionRecord, JsonObject, JsonValue } from './types';

function obj(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

/**
 * What a database connection's options say about identifiers, read the way Auth0 does:
 * the flexible-identifier `options.attributes` when present, else the legacy
 * `requires_username` flag (email always required and unique).
 */
interface IdentifierRules {
  emailRequired: boolean;
  /** False on connections created with `attributes.email.unique === false`. */
  emailUnique: boolean;
  /** Whether the email can be typed in to log in. */
  emailIsIdentifier: boolean;
  usernameAllowed: boolean;
  usernameRequired: boolean;
  usernameIsIdentifier: boolean;
}

export function identifierRules(connection: ConnectionRecord): IdentifierRules {
  const options = connection.options;
  const attributes = obj(options['attributes']);
  if (!attributes) {
    const requiresUsername = options['requires_username'] === true;
    return {
      emailRequired: true,
      emailUnique: true,
      emailIsIdentifier: true,
      usernameAllowed: requiresUsername,
      usernameRequired: requiresUsername,
      usernameIsIdentifier: requiresUsername,
    };
  }
  const email = obj(attributes['email']);
  const username = obj(attributes['username']);
  const required = (attr: JsonObject | undefined): boolean =>
    attr?.['profile_required'] === true || obj(attr?.['signup'])?.['status'] === 'required';
  const active = (attr: JsonObject | undefined): boolean => obj(attr?.['identifier'])?.['active'] === true;
  const emailUnique = email?.['unique'] !== false;
  return {
    emailRequired: email ? required(email) || active(email) : false,
    emailUnique,
    // Non-unique emails can never be active identifiers (Auth0 refuses that configuration).
    emailIsIdentifier: email ? active(email) && emailUnique : false,
    usernameAllowed: username !== undefined,
    usernameRequired: username ? required(username) || active(username) : false,
    usernameIsIdentifier: username ? active(username) : false,
  };
}

export function isDatabaseConnection(connection: ConnectionRecord): boolean {
  return connection.strategy === 'auth0';
}
