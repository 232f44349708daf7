import type { TenantContext } from '../context';
import { identifierRules, isDatabaseConnection } from '../state/connection-rules';
import type { CustomClaims, LoginContext, LoginTransaction, TriggerRequestInfo } from '../state/hooks';
import { verifyPasswordConcurrently } from '../state/passwords';
import { nowIso } from '../state/store';
import type { ClientRecord, ConnectionRecord, UserRecord } from '../state/types';
import { findUsersByIdentifier } from '../state/users';

interface LoginAttempt {
  connection: string;
  /** Email or username, as the connection's identifiers allow. */
  identifier: string;
  password: string;
  client_id?: string | undefined;
  redirect_uri?: string | undefined;
  ui_locales?: string | undefined;
  request: TriggerRequestInfo;
  /** What the application's authorization request asked for (OIDC logins); the protocol above all. */
  transaction?: Omit<LoginTransaction, 'ui_locales' | 'redirect_uri' | 'locale'> | undefined;
}

export type LoginResult =
  | { ok: true; user: UserRecord; client: ClientRecord | undefined; claims: CustomClaims }
  | { ok: false; status: 400 | 401 | 403; error: string; error_description: string };

/**
 * A password login on a database connection, then the post-login hook. Error codes follow
 * the Authentication API (`invalid_grant` "Wrong email or password.", `access_denied` with
 * the reason an Action gave to api.access.deny).
 */
export async function performLogin(ctx: TenantContext, attempt: LoginAttempt): Promise<LoginResult> {
  const connection = ctx.store.findConnectionByName(attempt.connection);
  if (!connection || !isDatabaseConnection(connection)) {
    return { ok: false, status: 400, error: 'invalid_request', error_description: 'connection not found' };
  }
  const client = attempt.client_id ? ctx.store.findClient(attempt.client_id) : undefined;
  if (attempt.client_id && !client) return { ok: false, status: 401, error: 'invalid_client', error_description: 'Unknown client.' };
  if (client && !connection.enabled_clients.includes(client.client_id)) {
    return { ok: false, status: 400, error: 'invalid_request', error_description: 'the connection is not enabled' };
  }
  const wrong = { ok: false, status: 403, error: 'invalid_grant', error_description: wrongCredentialsMessage(connection) } as const;
  const candidates = findUsersByIdentifier(ctx.store, connection, attempt.identifier);
  // On non-unique emails the email is no identifier: only one user may match.
  const user = candidates.length === 1 ? candidates[0] : undefined;
  if (!user || !(await verifyPasswordConcurrently(attempt.password, user.password_hash))) return wrong;
  if (user.blocked) return { ok: false, status: 401, error: 'unauthorized', error_description: 'user is blocked' };

  const uiLocales = attempt.ui_locales?.split(' ').filter(Boolean) ?? [];
  let transaction: LoginTransaction | undefined;
  if (uiLocales.length > 0 || attempt.redirect_uri || attempt.transaction) {
    transaction = { ...attempt.transaction, ui_locales: uiLocales };
    if (uiLocales[0]) transaction.locale = uiLocales[0];
    if (attempt.redirect_uri) transaction.redirect_uri = attempt.redirect_uri;
  }
  return runPostLogin(
    ctx,
    { user, connection, client, request: attempt.request, ...(transaction ? { transaction } : {}) },
    { countLogin: true },
  );
}

/**
 * A login transaction after the user is known: counts it (event.stats.logins_count counts this
 * login) and runs post-login, which Auth0 runs on every login, an SSO or refresh-token one too.
 */
export async function runPostLogin(ctx: TenantContext, login: LoginContext, options: { countLogin: boolean }): Promise<LoginResult> {
  const { user } = login;
  if (user.blocked) return { ok: false, status: 401, error: 'unauthorized', error_description: 'user is blocked' };
  if (options.countLogin) {
    user.logins_count += 1;
    user.last_login = nowIso();
    ctx.store.userChanged(user);
  }
  let claims: CustomClaims = { idToken: {}, accessToken: {} };
  if (ctx.hooks.onLogin) {
    const outcome = await ctx.hooks.onLogin(login);
    if (!outcome.allowed) return { ok: false, status: 403, error: 'access_denied', error_description: outcome.reason };
    if (outcome.claims) claims = outcome.claims;
  }
  // The user as post-login left it (its metadata written at the trigger's end).
  return { ok: true, user: ctx.store.findUser(user.user_id) ?? user, client: login.client, claims };
}

function wrongCredentialsMessage(connection: ConnectionRecord): string {
  const rules = identifierRules(connection);
  return rules.usernameIsIdentifier && !rules.emailIsIdentifier ? 'Wrong username or password.' : 'Wrong email or password.';
}
