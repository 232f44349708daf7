import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { sendPasswordResetEmail } from '../authentication-api/password-reset-email';
import { triggerRequestInfo } from '../authentication-api/request-info';
import type { TenantContext } from '../context';
import { identifierRules, isDatabaseConnection } from '../state/connection-rules';
import type { ClientRecord, ConnectionRecord } from '../state/types';
import { findUsersByIdentifier } from '../state/users';
import { page } from './layout';

/**
 * Universal Login's "Forgot your password?" screen (`reset-password-request`), at Auth0's path
 * `/u/reset-password/request/{connection}`. It asks for the connection's login identifier: on
 * a connection whose emails are not unique that is the username (the email names no single
 * account), and the Change Password email goes to that account's email address. The answer is
 * the same whether or not the account exists. `client_id` in the query names the application
 * (Auth0 carries it in the login transaction's `state`).
 */
export function registerResetPasswordRequest(app: Hono, ctx: TenantContext): void {
  const path = '/u/reset-password/request/:connection';

  app.get(path, (c) => {
    const found = lookup(ctx, c);
    if (!found.ok) return c.html(page('Forgot your password?', html`<p class="error">${found.error}</p>`), 400);
    return c.html(requestPage(found.connection, found.client, undefined));
  });

  app.post(path, async (c) => {
    const found = lookup(ctx, c);
    if (!found.ok) return c.html(page('Forgot your password?', html`<p class="error">${found.error}</p>`), 400);
    const { connection, client } = found;
    const form = await c.req.parseBody();
    const identifier = (typeof form['username'] === 'string' ? form['username'] : '').trim();
    if (identifier === '') return c.html(requestPage(connection, client, `Enter your ${identifierName(connection).toLowerCase()}.`), 400);
    const matches = findUsersByIdentifier(ctx.store, connection, identifier);
    // Only an identifier that names exactly one account sends an email.
    const user = matches.length === 1 ? matches[0] : undefined;
    if (user) {
      const body = Object.fromEntries(Object.entries(form).filter(([, v]) => typeof v === 'string'));
      await sendPasswordResetEmail(ctx, { user, connection, ...(client ? { client } : {}), request: triggerRequestInfo(c, body) });
    }
    const rules = identifierRules(connection);
    return c.html(
      page(
        'Check your email',
        html`<p>
            Please check the email address associated with the ${rules.usernameIsIdentifier ? 'username' : 'email'}
            <strong>${identifier}</strong> for instructions to reset your password.
          </p>
          <p class="note">
            <a href="/login?connection=${connection.name}${client ? `&client_id=${client.client_id}` : ''}">Back to log in</a>
          </p>`,
      ),
    );
  });
}

type Lookup = { ok: true; connection: ConnectionRecord; client: ClientRecord | undefined } | { ok: false; error: string };

function lookup(ctx: TenantContext, c: Context): Lookup {
  const connection = ctx.store.findConnectionByName(c.req.param('connection') ?? '');
  if (!connection || !isDatabaseConnection(connection)) return { ok: false, error: 'This connection does not exist.' };
  const clientId = c.req.query('client_id');
  const client = clientId ? ctx.store.findClient(clientId) : undefined;
  if (clientId && !client) return { ok: false, error: 'Unknown application.' };
  if (client && !connection.enabled_clients.includes(client.client_id)) return { ok: false, error: 'The connection is not enabled.' };
  return { ok: true, connection, client };
}

function identifierName(connection: ConnectionRecord): string {
  const rules = identifierRules(connection);
  if (rules.usernameIsIdentifier && rules.emailIsIdentifier) return 'Username or email';
  return rules.usernameIsIdentifier ? 'Username' : 'Email';
}

function requestPage(connection: ConnectionRecord, client: ClientRecord | undefined, error: string | undefined) {
  const action = `/u/reset-password/request/${encodeURIComponent(connection.name)}${client ? `?client_id=${encodeURIComponent(client.client_id)}` : ''}`;
  const label = identifierName(connection);
  return page(
    'Forgot your password?',
    html`${error ? html`<p class="error">${error}</p>` : ''}
      <p>Enter your ${label.toLowerCase()} and we will send you instructions to reset your password.</p>
      <form method="post" action="${action}">
        <label for="username">${label}</label>
        <input id="username" name="username" autocomplete="username" required />
        <button type="submit">Continue</button>
      </form>
      <p class="note">
        Connection: <strong>${connection.name}</strong>${client ? html`, application <strong>${client.name}</strong>` : ''}.
      </p>`,
  );
}
