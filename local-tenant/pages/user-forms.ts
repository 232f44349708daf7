import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { TenantContext } from '../context';
import { scheduleUserCreatedHook } from '../management-api/users';
import { isDatabaseConnection } from '../state/connection-rules';
import { createDatabaseUser, UserOperationError } from '../state/users';
import { page } from './layout';
import { signupPage } from './signup';

/**
 * What a person needs besides the login page to walk the flows in a browser: the dashboard's
 * "Create user" (an administrator creating a user, optionally invited) and a sign-up form.
 * Both go through the same code as `POST /api/v2/users` and `/dbconnections/signup`, so the
 * post-user-registration trigger runs exactly as for API calls.
 */
export function registerUserForms(app: Hono, ctx: TenantContext): void {
  const { store } = ctx;
  const databaseConnections = () => store.data.connections.filter(isDatabaseConnection).map((c) => c.name);
  const field = (form: Record<string, unknown>, key: string): string | undefined => {
    const value = form[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };

  const createForm = (problem?: string, created?: string) =>
    page(
      'Create a user',
      html`${problem ? html`<p class="error">${problem}</p>` : ''}${created ? html`<p>Created <strong>${created}</strong>. See the <a href="/outbox">outbox</a>.</p>` : ''}
        <form method="post" action="/local/users/new">
          <label
            >Connection
            <select name="connection">
              ${databaseConnections().map((name) => html`<option>${name}</option>`)}
            </select></label
          >
          <label>Email <input name="email" type="email" required /></label>
          <label>Username (connections with the username as identifier) <input name="username" /></label>
          <label><input type="checkbox" name="invite" value="true" checked style="width:auto" /> Invite (app_metadata.invite: true)</label>
          <p class="note">
            As an administrator would through the dashboard or the Management API. The password is random: the user sets their own from the
            invitation.
          </p>
          <button>Create</button>
        </form>`,
    );

  app.get('/local/users/new', (c) => c.html(createForm()));
  app.post('/local/users/new', async (c) => {
    const form = await c.req.parseBody();
    const connection = field(form, 'connection') ?? '';
    const email = field(form, 'email');
    const username = field(form, 'username');
    try {
      const created = createDatabaseUser(store, {
        connection,
        password: `${randomBytes(18).toString('base64url')}aA1!`,
        ...(email ? { email } : {}),
        ...(username ? { username } : {}),
        ...(form['invite'] === 'true' ? { app_metadata: { invite: true } } : {}),
      });
      scheduleUserCreatedHook(ctx, created.user, created.connection, { via: 'management-api' });
      return c.html(createForm(undefined, created.user.username ?? created.user.email ?? created.user.user_id));
    } catch (error) {
      if (error instanceof UserOperationError) return c.html(createForm(error.message), 400);
      throw error;
    }
  });

  app.get('/signup', (c) => {
    const open = store.data.connections.filter((conn) => isDatabaseConnection(conn) && conn.options['disable_signup'] !== true);
    return c.html(signupPage({ clientId: c.req.query('client_id') ?? '', connections: open.map((conn) => conn.name) }));
  });
}
