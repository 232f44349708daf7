import { randomBytes } from 'node:crypto';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { identifierRules, isDatabaseConnection } from './connection-rules';
import { hashPassword, managementPasswordMessage, passwordRejection, type PasswordRejection } from './passwords';
import { nowIso, type TenantStore } from './store';
import type { ConnectionRecord, JsonObject, UserRecord } from './types';

/** A refused user operation; the API layers turn it into their own error bodies. */
export class UserOperationError extends Error {
  constructor(
    readonly statusCode: ContentfulStatusCode,
    message: string,
    readonly errorCode: string,
  ) {
    super(message);
  }
}

/** A password the connection's policy refuses; each API answers with its own body (see passwords.ts). */
export class PasswordRejectedError extends UserOperationError {
  constructor(readonly rejection: PasswordRejection) {
    super(400, managementPasswordMessage(rejection), 'invalid_password');
  }
}

interface NewUserInput {
  connection: string;
  email?: string;
  username?: string;
  password: string;
  email_verified?: boolean;
  app_metadata?: JsonObject;
  user_metadata?: JsonObject;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  blocked?: boolean;
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
const USERNAME_PATTERN = /^[a-zA-Z0-9_+\-.!#$^`~@']{1,128}$/;

export function sameEmail(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/**
 * Validation and uniqueness as Auth0 applies them to a database connection. `passwordHash`, the
 * hash of `input.password` made once, lets a test seed many users without hashing each password.
 */
export function createDatabaseUser(
  store: TenantStore,
  input: NewUserInput,
  options: { passwordHash?: string } = {},
): { user: UserRecord; connection: ConnectionRecord } {
  const connection = store.findConnectionByName(input.connection);
  if (!connection) throw new UserOperationError(400, 'The connection does not exist.', 'inexistent_connection');
  if (!isDatabaseConnection(connection)) {
    throw new UserOperationError(400, 'Only database connections can create users here.', 'operation_not_supported');
  }
  const rules = identifierRules(connection);
  if (input.email !== undefined && !EMAIL_PATTERN.test(input.email)) {
    throw new UserOperationError(
      400,
      "Payload validation error: 'Object didn't pass validation for format email: " + 'invalid' + "' on property email (The user's email).",
      'invalid_body',
    );
  }
  if (rules.emailRequired && !input.email) {
    throw new UserOperationError(400, "Payload validation error: 'Missing required property: email'.", 'invalid_body');
  }
  if (input.username !== undefined) {
    if (!rules.usernameAllowed) {
      throw new UserOperationError(400, 'Cannot set username for connection without requires_username', 'operation_not_supported');
    }
    if (!USERNAME_PATTERN.test(input.username)) {
      throw new UserOperationError(400, 'Payload validation error: invalid username', 'invalid_body');
    }
  }
  if (rules.usernameRequired && !input.username) {
    throw new UserOperationError(400, "Payload validation error: 'Missing required property: username'.", 'invalid_body');
  }
  if (!input.email && !input.username) {
    throw new UserOperationError(400, 'An email or a username is required', 'invalid_body');
  }
  if (!input.password)
    throw new UserOperationError(400, "Payload validation error: 'Missing required property: password'.", 'invalid_body');
  const rejection = passwordRejection(connection, input.password, input);
  if (rejection) throw new PasswordRejectedError(rejection);

  const sameConnection = store.data.users.filter((u) => u.connection === connection.name);
  const emailTaken = rules.emailUnique && input.email !== undefined && sameConnection.some((u) => sameEmail(u.email, input.email));
  const usernameTaken =
    input.username !== undefined && sameConnection.some((u) => u.username?.toLowerCase() === input.username?.toLowerCase());
  if (emailTaken || usernameTaken) throw new UserOperationError(409, 'The user already exists.', 'auth0_idp_error');

  const now = nowIso();
  const user: UserRecord = {
    user_id: `auth0|${randomBytes(12).toString('hex')}`,
    connection: connection.name,
    email_verified: input.email_verified ?? false,
    password_hash: options.passwordHash ?? hashPassword(input.password),
    app_metadata: input.app_metadata ?? {},
    user_metadata: input.user_metadata ?? {},
    blocked: input.blocked ?? false,
    logins_count: 0,
    created_at: now,
    updated_at: now,
  };
  if (input.email !== undefined) user.email = input.email.toLowerCase();
  if (input.username !== undefined) user.username = input.username;
  // Auth0's profile defaults: name = email (or username), nickname = local part.
  const identifier = input.email ?? input.username ?? '';
  user.name = input.name ?? identifier;
  user.nickname = input.nickname ?? identifier.split('@')[0] ?? identifier;
  if (input.given_name !== undefined) user.given_name = input.given_name;
  if (input.family_name !== undefined) user.family_name = input.family_name;
  if (input.picture !== undefined) user.picture = input.picture;
  store.addUser(user);
  return { user, connection };
}

/** The user as the Management API returns it: never the password hash. */
export function userResponse(user: UserRecord): JsonObject {
  const { password_hash: _hash, password_history: _history, connection, ...rest } = user;
  void _hash;
  void _history;
  const response: JsonObject = { ...(rest as unknown as JsonObject) };
  response['identities'] = [{ connection, provider: 'auth0', user_id: user.user_id.replace(/^auth0\|/, ''), isSocial: false }];
  if (!user.last_login) delete response['last_login'];
  return response;
}

/** Users that a login identifier names on a connection, following its identifier rules. */
export function findUsersByIdentifier(store: TenantStore, connection: ConnectionRecord, identifier: string): UserRecord[] {
  const rules = identifierRules(connection);
  return store.data.users.filter(
    (u) =>
      u.connection === connection.name &&
      ((rules.usernameIsIdentifier && u.username !== undefined && u.username.toLowerCase() === identifier.toLowerCase()) ||
        (rules.emailIsIdentifier && sameEmail(u.email, identifier))),
  );
}
