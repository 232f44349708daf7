import type { Context, Hono } from 'hono';
import type { TenantContext } from '../context';
import { scheduleUserCreatedHook } from '../management-api/users';
import { readJsonOrForm } from '../management-api/request-body';
import { identifierRules } from '../state/connection-rules';
import type { JsonObject } from '../state/types';
import { createDatabaseUser, PasswordRejectedError, sameEmail, UserOperationError } from '../state/users';
import { performLogin } from './login';
import { registerOAuthToken } from './oauth-token';
import { triggerRequestInfo } from './request-info';
import { sendPasswordResetEmail } from './password-reset-email';

/** Auth0's Authentication API error body for /dbconnections: `{ name, code, description, statusCode }`. */
function dbError(c: Context, statusCode: 400 | 401 | 403 | 404 | 409, code: string, description: string): Response {
  const name = statusCode === 400 ? 'BadRequestError' : statusCode === 403 ? 'ForbiddenError' : 'Error';
  return c.json({ name, code, description, statusCode }, statusCode);
}

/**
 * Auth0's signup answer to a refused password: `{ name: 'PasswordStrengthError', message: 'Password is too weak',
 * code: 'invalid_password', description: { rules, verified: false }, policy, statusCode: 400 }` (go-auth0
 * authentication/authentication_error_test.go; docs-v2 password-strength.mdx "Custom signup errors").
 */
function passwordError(c: Context, error: PasswordRejectedError): Response {
  const { name, message, description, policy } = error.rejection;
  // JSON leaves an unset policy out.
  return c.json({ name, message, code: 'invalid_password', description, policy, statusCode: 400 }, 400);
}

const str = (body: JsonObject, key: string): string | undefined => {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export function registerAuthenticationApi(app: Hono, ctx: TenantContext): void {
  registerOAuthToken(app, ctx);
  const { store } = ctx;

  app.post('/dbconnections/signup', async (c) => {
    const body = await readJsonOrForm(c);
    const clientId = str(body, 'client_id');
    const connectionName = str(body, 'connection');
    const client = clientId ? store.findClient(clientId) : undefined;
    if (!client) return dbError(c, 400, 'invalid_request', 'Unknown client.');
    const connection = connectionName ? store.findConnectionByName(connectionName) : undefined;
    if (!connection || !connection.enabled_clients.includes(client.client_id)) {
      return dbError(c, 400, 'invalid_connection', 'Connection does not exist or is not enabled for the client');
    }
    if (connection.options['disable_signup'] === true) {
      return dbError(c, 400, 'operation_not_allowed', 'Signups are not allowed for this connection');
    }
    const userMetadata = body['user_metadata'];
    const input = {
      connection: connection.name,
      password: str(body, 'password') ?? '',
      ...(str(body, 'email') ? { email: str(body, 'email') as string } : {}),
      ...(str(body, 'username') ? { username: str(body, 'username') as string } : {}),
      ...(str(body, 'name') ? { name: str(body, 'name') as string } : {}),
      ...(str(body, 'given_name') ? { given_name: str(body, 'given_name') as string } : {}),
      ...(str(body, 'family_name') ? { family_name: str(body, 'family_name') as string } : {}),
      ...(typeof userMetadata === 'object' && userMetadata !== null && !Array.isArray(userMetadata) ? { user_metadata: userMetadata } : {}),
    };
    let created;
    try {
      created = createDatabaseUser(store, input);
    } catch (error) {
      if (!(error instanceof UserOperationError)) throw error;
      if (error.statusCode === 409) return dbError(c, 400, 'user_exists', 'The user already exists.');
      if (error instanceof PasswordRejectedError) return passwordError(c, error);
      return dbError(c, 400, 'invalid_signup', error.message);
    }
    scheduleUserCreatedHook(ctx, created.user, created.connection, { via: 'signup', request: triggerRequestInfo(c, body) });
    const { user } = created;
    // The signup response uses `_id` (the id without the `auth0|` prefix).
    const response: JsonObject = { _id: user.user_id.replace(/^auth0\|/, ''), email_verified: user.email_verified };
    if (user.email) response['email'] = user.email;
    if (user.username) response['username'] = user.username;
    if (Object.keys(user.user_metadata).length > 0) response['user_metadata'] = user.user_metadata;
    return c.json(response);
  });

  app.post('/dbconnections/change_password', async (c) => {
    const body = await readJsonOrForm(c);
    const email = str(body, 'email');
    const connectionName = str(body, 'connection');
    const clientId = str(body, 'client_id');
    const client = clientId ? store.findClient(clientId) : undefined;
    if (clientId && !client) return dbError(c, 400, 'invalid_request', 'Unknown client.');
    if (!email) return dbError(c, 400, 'bad.email', 'email is required');
    const connection = connectionName ? store.findConnectionByName(connectionName) : undefined;
    if (!connection) return dbError(c, 400, 'bad.connection', 'connection not found');
    // Auth0 cannot pick one account by email on a non-unique email connection.
    if (!identifierRules(connection).emailUnique) {
      return dbError(c, 400, 'invalid_request', 'Password reset by email is not available on connections with non-unique emails');
    }
    const user = store.data.users.find((u) => u.connection === connection.name && sameEmail(u.email, email));
    // The answer is the same whether or not the user exists (no account enumeration).
    if (user) await sendPasswordResetEmail(ctx, { user, connection, ...(client ? { client } : {}), request: triggerRequestInfo(c, body) });
    // A plain-text sentence, not JSON (go-auth0 test/data/recordings/authentication/TestDatabaseChangePassword.yaml).
    return c.text("We've just sent you an email to reset your password.", 200, { 'content-type': 'text/html; charset=utf-8' });
  });

  // JSON login for tests and scripts: same checks as the login page, then post-login.
  app.post('/local/api/login', async (c) => {
    const body = await readJsonOrForm(c);
    const connection = str(body, 'connection');
    const identifier = str(body, 'username') ?? str(body, 'email');
    const password = str(body, 'password');
    if (!connection || !identifier || !password) {
      return c.json({ error: 'invalid_request', error_description: 'connection, username (or email) and password are required' }, 400);
    }
    const clientId = str(body, 'client_id');
    const uiLocales = str(body, 'ui_locales');
    const result = await performLogin(ctx, {
      connection,
      identifier,
      password,
      request: triggerRequestInfo(c, body),
      ...(clientId ? { client_id: clientId } : {}),
      ...(uiLocales ? { ui_locales: uiLocales } : {}),
    });
    if (!result.ok) return c.json({ error: result.error, error_description: result.error_description }, result.status);
    return c.json({ user_id: result.user.user_id, logins_count: result.user.logins_count, email_verified: result.user.email_verified });
  });
}
