import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { performLogin } from '../authentication-api/login';
import { triggerRequestInfo } from '../authentication-api/request-info';
import { deliverTenantEmail } from '../authentication-api/email-delivery';
import { renderTemplateEmail, tenantTemplate } from '../authentication-api/template-emails';
import type { TenantContext } from '../context';
import { format } from 'node:util';
import { identifierRules, isDatabaseConnection } from '../state/connection-rules';
import { changePassword, type PasswordRejection } from '../state/passwords';
import { findUsableTicket, redeemTicket, type TicketLookup } from '../state/tickets';
import type { ClientRecord, ConnectionRecord, TicketRecord, UserRecord } from '../state/types';
import { page } from './layout';
import { registerResetPasswordRequest } from './reset-password-request';

const TICKET_PROBLEMS: Record<Exclude<TicketLookup, { ok: true }>['reason'], string> = {
  unknown: 'This link is not valid.',
  expired: 'Access expired.',
  used: 'This URL can be used only once.',
};

/**
 * What the password-change page says of a link it refuses. Auth0's own page says only the first
 * line; for an expired link it offers a way back to the login page, and this one links
 * Universal Login's "Forgot your password?" screen of the user's connection, which sends a new
 * link (worded as an invitation while app_metadata.invite is true). docs/invitations.md says
 * what Auth0 shows.
 */
function ticketProblem(ctx: TenantContext, lookup: Exclude<TicketLookup, { ok: true }>) {
  const problem = html`<p class="error">${TICKET_PROBLEMS[lookup.reason]}</p>`;
  if (lookup.reason !== 'expired') return problem;
  const user = lookup.ticket ? ctx.store.findUser(lookup.ticket.user_id) : undefined;
  const clientId = lookup.ticket?.client_id;
  const request =
    user !== undefined
      ? `/u/reset-password/request/${encodeURIComponent(user.connection)}${clientId ? `?client_id=${encodeURIComponent(clientId)}` : ''}`
      : undefined;
  return html`${problem}
    <p>
      This link has expired. To get a new one,
      ${request !== undefined ? html`<a href="${request}">ask for a new link</a>` : 'use "Forgot your password?" on the login page'} or ask
      the person who invited you.
    </p>`;
}

/** The browser pages: login, password-change ticket, email-verification ticket. */
export function registerPages(app: Hono, ctx: TenantContext): void {
  const { store } = ctx;

  app.get('/', (c) =>
    c.html(
      page(
        'Local Auth0 tenant',
        html`<p>A local stand-in for an Auth0 tenant.</p>
          <ul>
            <li><a href="/login">Log in</a></li>
            <li><a href="/outbox">Outbox</a>: emails, Action logs and users</li>
          </ul>`,
      ),
    ),
  );

  app.get('/login', (c) => c.html(loginPage(ctx, c, undefined)));
  registerResetPasswordRequest(app, ctx);

  app.post('/local/login', async (c) => {
    const form = await c.req.parseBody();
    const value = (key: string): string => (typeof form[key] === 'string' ? form[key] : '');
    const clientId = value('client_id');
    const redirectUri = value('redirect_uri');
    const uiLocales = value('ui_locales');
    const result = await performLogin(ctx, {
      connection: value('connection'),
      identifier: value('identifier'),
      password: value('password'),
      request: triggerRequestInfo(c, form),
      ...(clientId ? { client_id: clientId } : {}),
      ...(redirectUri ? { redirect_uri: redirectUri } : {}),
      ...(uiLocales ? { ui_locales: uiLocales } : {}),
    });
    if (!result.ok) return c.html(loginPage(ctx, c, result.error_description), result.status === 400 ? 400 : 401);
    // Only registered callbacks receive the browser, as Auth0 enforces.
    const callbacks = result.client?.['callbacks'];
    if (redirectUri && Array.isArray(callbacks) && callbacks.includes(redirectUri)) return c.redirect(redirectUri, 302);
    return c.html(
      page(
        'Logged in',
        html`<p>Logged in as <strong>${displayName(result.user)}</strong> (login number ${result.user.logins_count}).</p>
          <p>Email verified: ${result.user.email_verified ? 'yes' : 'no'}.</p>`,
      ),
    );
  });

  app.get('/lo/reset', async (c) => {
    const lookup = findUsableTicket(store, 'password-change', c.req.query('ticket'));
    if (!lookup.ok) return c.html(page('Change your password', ticketProblem(ctx, lookup)), 400);
    const challenge = await passChallenge(ctx, c, lookup.ticket);
    if (challenge.denied !== undefined) return c.html(deniedPage(challenge.denied), 403);
    return c.html(resetPage(ctx, lookup.ticket, undefined));
  });

  app.post('/lo/reset', async (c) => {
    const form = await c.req.parseBody();
    const ticketId = typeof form['ticket'] === 'string' ? form['ticket'] : undefined;
    const lookup = findUsableTicket(store, 'password-change', ticketId);
    if (!lookup.ok) return c.html(page('Change your password', html`<p class="error">${TICKET_PROBLEMS[lookup.reason]}</p>`), 400);
    const { ticket } = lookup;
    const user = store.findUser(ticket.user_id);
    const connection = user ? store.findConnectionByName(user.connection) : undefined;
    if (!user || !connection) return c.html(page('Change your password', html`<p class="error">The user does not exist.</p>`), 400);
    const challenge = await passChallenge(ctx, c, ticket);
    if (challenge.denied !== undefined) return c.html(deniedPage(challenge.denied), 403);
    const password = typeof form['password'] === 'string' ? form['password'] : '';
    const confirm = typeof form['password_confirm'] === 'string' ? form['password_confirm'] : '';
    if (password !== confirm) return c.html(resetPage(ctx, ticket, 'The passwords do not match.'), 400);
    // The connection's policy applies on the reset page as on signup (docs-v2 password-strength.mdx:
    // "enforced on all subsequent user sign-ups and password changes"); the ticket stays usable.
    const rejection = changePassword(user, connection, password);
    if (rejection) return c.html(resetPage(ctx, ticket, rejectionText(rejection)), 400);
    // A reset through an emailed link proves the inbox, so Auth0 marks the email verified;
    // a ticket made with mark_email_as_verified does the same.
    if (ticket.mark_email_as_verified || ticket.from_emailed_link) user.email_verified = true;
    redeemTicket(store, ticket, user);

    // Where Universal Login sends the person: the post-challenge Action's setResultUrl, else the
    // ticket's result_url (classic experience), else the application's default login route
    // (docs-v2 configure-default-login-routes.mdx, "Complete password reset flow"). The
    // reset_email template's Redirect To plays no part (customize-email-templates.mdx).
    const client = ticket.client_id ? store.findClient(ticket.client_id) : undefined;
    const target = challenge.result_url ?? ticket.result_url ?? (client ? clientLoginUrl(ctx, client) : undefined);
    if (target) return c.redirect(withQuery(target, ticket.include_email_in_redirect && user.email ? { email: user.email } : {}), 302);
    return c.html(
      page(
        'Password changed',
        html`<p>Your password has been changed. You can now <a href="/login?connection=${connection.name}">log in</a>.</p>`,
      ),
    );
  });

  // Auth0 verifies on opening the link, then redirects to the result URL with success=true.
  app.get('/u/email-verification', async (c) => {
    const lookup = findUsableTicket(store, 'email-verification', c.req.query('ticket'));
    const ticket = lookup.ok ? lookup.ticket : lookup.ticket;
    const client = ticket?.client_id ? store.findClient(ticket.client_id) : undefined;
    const target = ticket?.result_url ?? (client ? clientLoginUrl(ctx, client) : undefined);
    if (!lookup.ok) {
      const message = TICKET_PROBLEMS[lookup.reason];
      if (target) return c.redirect(withQuery(target, { success: 'false', message }), 302);
      return c.html(page('Email verification', html`<p class="error">${message}</p>`), 400);
    }
    const user = store.findUser(lookup.ticket.user_id);
    if (!user) return c.html(page('Email verification', html`<p class="error">The user does not exist.</p>`), 400);
    const wasVerified = user.email_verified;
    user.email_verified = true;
    redeemTicket(store, lookup.ticket, user);
    if (!wasVerified) await sendWelcomeEmailIfEnabled(ctx, user, client);
    const message = 'Your email was verified. You can continue using the application.';
    if (target) {
      const extra: Record<string, string> = lookup.ticket.include_email_in_redirect && user.email ? { email: user.email } : {};
      return c.redirect(withQuery(target, { ...extra, success: 'true', message }), 302);
    }
    return c.html(page('Email verified', html`<p>${message}</p>`));
  });
}

/**
 * password-reset-post-challenge, once per ticket, when the link is first opened (or the form sent
 * without opening it). Auth0 runs the trigger only for a reset with an application: `client_id`
 * "is required to use the Password Reset Post Challenge trigger" (auth0 SDK,
 * ChangePasswordTicketRequestContent.client_id).
 */
async function passChallenge(ctx: TenantContext, c: Context, ticket: TicketRecord): Promise<NonNullable<TicketRecord['post_challenge']>> {
  if (ticket.post_challenge !== undefined) return ticket.post_challenge;
  const client = ticket.client_id ? ctx.store.findClient(ticket.client_id) : undefined;
  const user = ctx.store.findUser(ticket.user_id);
  const connection = user ? ctx.store.findConnectionByName(user.connection) : undefined;
  const run = ctx.hooks.onPasswordResetChallenge;
  if (!client || !user || !connection || run === undefined) return {};
  const outcome = await run({ user, connection, client, request: triggerRequestInfo(c, {}) });
  const postChallenge = outcome.allowed
    ? outcome.resultUrl !== undefined
      ? { result_url: outcome.resultUrl }
      : {}
    : { denied: outcome.reason };
  ctx.store.update(ticket, (t) => (t.post_challenge = postChallenge));
  return postChallenge;
}

function deniedPage(reason: string) {
  return page('Change your password', html`<p class="error">${reason}</p>`);
}

/** Auth0 sends its welcome_email after a verification when that template is enabled. */
async function sendWelcomeEmailIfEnabled(ctx: TenantContext, user: UserRecord, client: ClientRecord | undefined): Promise<void> {
  const template = tenantTemplate(ctx, 'welcome_email');
  if (!template?.enabled) return;
  const connection = ctx.store.findConnectionByName(user.connection);
  const email = await renderTemplateEmail(ctx, {
    template: 'welcome_email',
    user,
    ...(client ? { client } : {}),
    ...(connection ? { connection } : {}),
  });
  if (email) await deliverTenantEmail(ctx, email, { user, ...(client ? { client } : {}), ...(connection ? { connection } : {}) });
}

function loginPage(ctx: TenantContext, c: Context, error: string | undefined) {
  const params = new URLSearchParams(c.req.method === 'GET' ? new URL(c.req.url).search : '');
  const clientId = params.get('client_id') ?? '';
  const keep = (name: string): string => params.get(name) ?? '';
  return loginPageFor(ctx, {
    client: clientId ? ctx.store.findClient(clientId) : undefined,
    connection: params.get('connection') ?? undefined,
    action: '/local/login',
    hidden: { client_id: clientId, redirect_uri: keep('redirect_uri'), ui_locales: keep('ui_locales') },
    error,
    linkFor: (connection) => {
      const next = new URLSearchParams(params);
      next.set('connection', connection);
      return `/login?${next.toString()}`;
    },
  });
}

interface LoginPageOptions {
  /** The application the login is for, which limits the connections offered. */
  client: ClientRecord | undefined;
  /** The connection asked for; the tenant's default directory, else the first enabled one. */
  connection: string | undefined;
  /** Where the form posts (with `connection`, `identifier`, `password` and the hidden fields). */
  action: string;
  hidden: Record<string, string>;
  identifier?: string | undefined;
  error: string | undefined;
  /** The same page for another connection. */
  linkFor(connection: string): string;
  signupLink?: string;
}

/** The login page (Universal Login's, locally): one database connection at a time, links to the others. */
export function loginPageFor(ctx: TenantContext, options: LoginPageOptions) {
  const { client } = options;
  const choices = ctx.store.data.connections.filter(
    (con) => isDatabaseConnection(con) && (!client || con.enabled_clients.includes(client.client_id)),
  );
  const wanted =
    options.connection ??
    (typeof ctx.store.data.tenant['default_directory'] === 'string' ? ctx.store.data.tenant['default_directory'] : '');
  const connection = choices.find((con) => con.name === wanted) ?? choices[0];
  if (!connection) return page('Log in', html`<p class="error">No database connection is configured yet. Deploy the tenant first.</p>`);
  return page(
    'Log in',
    html`${options.error ? html`<p class="error">${options.error}</p>` : ''}
      <form method="post" action="${options.action}">
        <input type="hidden" name="connection" value="${connection.name}" />
        ${Object.entries(options.hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
        <label for="identifier">${identifierLabel(connection)}</label>
        <input id="identifier" name="identifier" autocomplete="username" value="${options.identifier ?? ''}" required />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Continue</button>
      </form>
      <p class="note">
        <a href="/u/reset-password/request/${connection.name}${client ? `?client_id=${client.client_id}` : ''}">Forgot your password?</a>
        ${options.signupLink ? html` · <a href="${options.signupLink}">Sign up</a>` : ''}
      </p>
      <p class="note">
        Connection: <strong>${connection.name}</strong>${client ? html`, application <strong>${client.name}</strong>` : ''}.
        ${choices.length > 1 ? html`Other connections: ${choices.filter((con) => con !== connection).map((con) => html`<a href="${options.linkFor(con.name)}">${con.name}</a> `)}` : ''}
      </p>`,
  );
}

function resetPage(ctx: TenantContext, ticket: TicketRecord, error: string | undefined) {
  const user = ctx.store.findUser(ticket.user_id);
  return page(
    'Change your password',
    html`${error ? html`<p class="error">${error}</p>` : ''}
      <p>Set a password for <strong>${user ? displayName(user) : ''}</strong>.</p>
      <form method="post" action="/lo/reset">
        <input type="hidden" name="ticket" value="${ticket.id}" />
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required />
        <label for="password_confirm">Confirm new password</label>
        <input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required />
        <button type="submit">Set password</button>
      </form>`,
  );
}

/** What the reset page says of a refused password: the message, then each rule not met. */
function rejectionText(rejection: PasswordRejection): string {
  const report = rejection.description;
  if (typeof report !== 'object' || report === null || Array.isArray(report) || !Array.isArray(report['rules'])) {
    return `${rejection.message}.`;
  }
  const unmet = report['rules'].flatMap((rule) => {
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule) || rule['verified'] === true) return [];
    const args = Array.isArray(rule['format']) ? rule['format'] : [];
    const items = Array.isArray(rule['items']) ? rule['items'] : [];
    const missing = items.flatMap((item) =>
      typeof item === 'object' && item !== null && !Array.isArray(item) && item['verified'] !== true && typeof item['message'] === 'string'
        ? [item['message']]
        : [],
    );
    const message = typeof rule['message'] === 'string' ? rule['message'] : '';
    return [`${format(message, ...args)}${missing.length > 0 ? ` ${missing.join(', ')}` : ''}`];
  });
  return `${rejection.message}: ${unmet.join('; ')}.`;
}

/** The login identifier the connection's attributes ask for. */
function identifierLabel(connection: ConnectionRecord): string {
  const rules = identifierRules(connection);
  if (rules.usernameIsIdentifier && rules.emailIsIdentifier) return 'Username or email';
  return rules.usernameIsIdentifier ? 'Username' : 'Email';
}

/** Which account a page is about: on shared inboxes only the username tells them apart. */
function displayName(user: UserRecord): string {
  if (user.username && user.email) return `${user.username} (${user.email})`;
  return user.username ?? user.email ?? user.user_id;
}

/** An application's login route (`initiate_login_uri`), else the local login page for it. */
function clientLoginUrl(ctx: TenantContext, client: ClientRecord): string {
  const initiate = client['initiate_login_uri'];
  if (typeof initiate === 'string' && initiate) return initiate;
  return `${ctx.urls.publicUrl}/login?client_id=${encodeURIComponent(client.client_id)}`;
}

function withQuery(target: string, params: Record<string, string>): string {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
