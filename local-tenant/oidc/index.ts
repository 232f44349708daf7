import type { Context, Hono } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { performLogin, runPostLogin, type LoginResult } from '../authentication-api/login';
import { triggerRequestInfo } from '../authentication-api/request-info';
import type { TenantContext } from '../context';
import { loginPageFor } from '../pages';
import { page } from '../pages/layout';
import { signupPage } from '../pages/signup';
import type { LoginTransaction } from '../state/hooks';
import type { ClientRecord } from '../state/types';
import { SigningKeys } from './keys';
import { applicationResponse, parseAuthorization } from './requests';
import { OidcState, type AuthorizationRequest } from './state';
import { issuerOf, profileClaims, readIdTokenHint, verifyUserinfoToken } from './tokens';

export { exchangeUserGrant, isUserGrantType } from './token-grants';
export { mintClientCredentialsToken } from './tokens';

/** What the OIDC endpoints keep: the signing key and the protocol state. */
export interface OidcRuntime {
  keys: SigningKeys;
  state: OidcState;
}

export function createOidcRuntime(): OidcRuntime {
  return { keys: new SigningKeys(), state: new OidcState() };
}

/** Auth0's session cookie name; a second login in the same browser reuses the session (SSO). */
const SESSION_COOKIE = 'auth0';

/**
 * Auth0's login endpoints for applications: discovery, keys, `/authorize` (authorization code
 * with PKCE), `/userinfo`, `/v2/logout` and `/oidc/logout`. The token endpoint's user grants live
 * in token-grants.ts, behind `/oauth/token`.
 */
export function registerOidc(app: Hono, ctx: TenantContext): void {
  const { state, keys } = ctx.oidc;

  app.get('/.well-known/openid-configuration', (c) => c.json(discovery(ctx)));
  app.get('/.well-known/jwks.json', async (c) => c.json(await keys.jwks()));

  app.get('/authorize', async (c) => {
    const parsed = parseAuthorization(ctx, c.req.query());
    if (!parsed.ok && 'page' in parsed) return c.html(page('Error', html`<p class="error">invalid_request: ${parsed.page}</p>`), 400);
    if (!parsed.ok) {
      const { redirect } = parsed;
      return respond(c, redirect, {
        error: redirect.error,
        error_description: redirect.description,
        ...(redirect.state !== undefined ? { state: redirect.state } : {}),
      });
    }
    const request = state.beginAuthorization(parsed.request);
    const session = state.session(getCookie(c, SESSION_COOKIE));
    const user = session ? ctx.store.findUser(session.user_id) : undefined;
    // An existing session logs the user in without a page, unless the application asked for one.
    if (session && user && !request.prompt.includes('login') && request.screen_hint !== 'signup') {
      const connection = ctx.store.findConnectionByName(user.connection);
      if (connection && connection.enabled_clients.includes(parsed.client.client_id)) {
        const login = await runPostLogin(
          ctx,
          { user, connection, client: parsed.client, request: triggerRequestInfo(c, {}), transaction: transactionOf(request) },
          { countLogin: true },
        );
        return finishLogin(c, ctx, request, login, session.id);
      }
    }
    if (request.prompt.includes('none')) {
      state.endAuthorization(request);
      return respond(c, request, { error: 'login_required', error_description: 'Login required', ...stateParam(request) });
    }
    if (request.screen_hint === 'signup') return c.html(oidcSignupPage(ctx, parsed.client, request));
    return c.html(oidcLoginPage(ctx, parsed.client, request, undefined));
  });

  // The login page of a pending authorization request, for another connection.
  app.get('/u/login', (c) => {
    const request = state.authorization(c.req.query('state'));
    const client = request ? ctx.store.findClient(request.client_id) : undefined;
    if (!request || !client)
      return c.html(page('Log in', html`<p class="error">This login has expired. Go back to the application and try again.</p>`), 400);
    const connection = c.req.query('connection');
    return c.html(oidcLoginPage(ctx, client, { ...request, ...(connection ? { connection } : {}) }, undefined));
  });

  app.post('/u/login', async (c) => {
    const form = await c.req.parseBody();
    const value = (key: string): string => (typeof form[key] === 'string' ? form[key] : '');
    const request = state.authorization(value('state'));
    const client = request ? ctx.store.findClient(request.client_id) : undefined;
    if (!request || !client)
      return c.html(page('Log in', html`<p class="error">This login has expired. Go back to the application and try again.</p>`), 400);
    const login = await performLogin(ctx, {
      connection: value('connection'),
      identifier: value('identifier'),
      password: value('password'),
      client_id: client.client_id,
      redirect_uri: request.redirect_uri,
      request: triggerRequestInfo(c, form),
      transaction: transactionOf(request),
      ui_locales: request.ui_locales,
    });
    // Wrong credentials stay on the page; an Action's deny goes back to the application.
    if (!login.ok && login.error !== 'access_denied') {
      return c.html(
        oidcLoginPage(ctx, client, { ...request, connection: value('connection') }, login.error_description),
        login.status === 400 ? 400 : 401,
      );
    }
    return finishLogin(c, ctx, request, login, undefined);
  });

  app.on(['GET', 'POST'], '/userinfo', async (c) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const verified = bearer ? await verifyUserinfoToken(ctx, keys, bearer.trim()) : undefined;
    const user = verified ? ctx.store.findUser(verified.sub) : undefined;
    if (!verified || !user) return c.text('Unauthorized', 401);
    return c.json({ sub: user.user_id, ...profileClaims(user, verified.scope) });
  });

  // Auth0's logout: `returnTo` must be an allowed logout URL of the application (or of the tenant without client_id).
  app.get('/v2/logout', (c) => {
    const returnTo = c.req.query('returnTo');
    const clientId = c.req.query('client_id');
    const client = clientId ? ctx.store.findClient(clientId) : undefined;
    endBrowserSession(c, state);
    const allowed = allowedLogoutUrls(ctx, client);
    if (returnTo !== undefined) {
      if (!allowed.includes(returnTo))
        return c.html(page('Logout', html`<p class="error">${logoutUrlMismatch('returnTo', returnTo, client)}</p>`), 400);
      return c.redirect(returnTo, 302);
    }
    if (client && allowed[0] !== undefined) return c.redirect(allowed[0], 302);
    return c.html(page('Logged out', html`<p>You are logged out.</p>`));
  });

  // OIDC RP-Initiated Logout 1.0, as Auth0 implements it at /oidc/logout.
  app.get('/oidc/logout', async (c) => {
    const hint = c.req.query('id_token_hint');
    const target = c.req.query('post_logout_redirect_uri');
    const fromHint = hint ? await readIdTokenHint(ctx, keys, hint) : undefined;
    if (hint && !fromHint)
      return c.html(page('Logout', html`<p class="error">invalid_request: id_token_hint is not a token of this tenant.</p>`), 400);
    const clientId = c.req.query('client_id') ?? fromHint?.aud;
    const client = clientId ? ctx.store.findClient(clientId) : undefined;
    endBrowserSession(c, state);
    if (target === undefined) return c.html(page('Logged out', html`<p>You are logged out.</p>`));
    if (!client)
      return c.html(
        page('Logout', html`<p class="error">invalid_request: post_logout_redirect_uri needs id_token_hint or client_id.</p>`),
        400,
      );
    if (!allowedLogoutUrls(ctx, client).includes(target)) {
      return c.html(page('Logout', html`<p class="error">${logoutUrlMismatch('post_logout_redirect_uri', target, client)}</p>`), 400);
    }
    const url = new URL(target);
    const logoutState = c.req.query('state');
    if (logoutState !== undefined) url.searchParams.set('state', logoutState);
    return c.redirect(url.toString(), 302);
  });
}

function discovery(ctx: TenantContext): Record<string, unknown> {
  const issuer = issuerOf(ctx);
  return {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: `${issuer}userinfo`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    end_session_endpoint: `${issuer}oidc/logout`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    code_challenge_methods_supported: ['S256', 'plain'],
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      'http://auth0.com/oauth/grant-type/password-realm',
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    claims_supported: [
      'aud',
      'auth_time',
      'email',
      'email_verified',
      'exp',
      'family_name',
      'given_name',
      'iat',
      'iss',
      'name',
      'nickname',
      'picture',
      'sid',
      'sub',
      'updated_at',
    ],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
  };
}

function transactionOf(request: AuthorizationRequest): LoginTransaction {
  return {
    ui_locales: request.ui_locales?.split(' ').filter(Boolean) ?? [],
    protocol: 'oidc-basic-profile',
    redirect_uri: request.redirect_uri,
    requested_scopes: request.scope,
    response_mode: request.response_mode,
    response_type: ['code'],
    prompt: request.prompt,
    ...(request.state !== undefined ? { state: request.state } : {}),
    ...(request.login_hint !== undefined ? { login_hint: request.login_hint } : {}),
  };
}

const stateParam = (request: AuthorizationRequest): Record<string, string> => (request.state !== undefined ? { state: request.state } : {});

/** The login ended: a code for the application, or the Action's deny as `access_denied` (RFC 6749 §4.1.2.1). */
function finishLogin(
  c: Context,
  ctx: TenantContext,
  request: AuthorizationRequest,
  login: LoginResult,
  sessionId: string | undefined,
): Response | Promise<Response> {
  const { state } = ctx.oidc;
  if (!login.ok) {
    state.endAuthorization(request);
    return respond(c, request, { error: login.error, error_description: login.error_description, ...stateParam(request) });
  }
  const session = state.session(sessionId) ?? state.startSession(login.user.user_id);
  setCookie(c, SESSION_COOKIE, session.id, { path: '/', httpOnly: true, secure: true, sameSite: 'None' });
  const code = state.issueCode(request, {
    client_id: request.client_id,
    user_id: login.user.user_id,
    session_id: session.id,
    scope: request.scope,
    auth_time: session.auth_time,
    claims: login.claims,
    ...(request.audience !== undefined ? { audience: request.audience } : {}),
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
  });
  return respond(c, request, { code, ...stateParam(request) });
}

function respond(
  c: Context,
  target: { redirect_uri: string; response_mode: 'query' | 'form_post' },
  params: Record<string, string>,
): Response | Promise<Response> {
  const answer = applicationResponse(target, params);
  if ('redirect' in answer) return c.redirect(answer.redirect, 302);
  // response_mode=form_post (OAuth 2.0 Form Post Response Mode): a page that posts itself.
  return c.html(
    html`<!doctype html>
      <html>
        <head>
          <title>Submit this form</title>
        </head>
        <body onload="document.forms[0].submit()">
          <form method="post" action="${answer.formPost.action}">
            ${Object.entries(answer.formPost.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
            <noscript><button type="submit">Continue</button></noscript>
          </form>
        </body>
      </html>`,
  );
}

function endBrowserSession(c: Context, state: OidcState): void {
  state.endSession(getCookie(c, SESSION_COOKIE));
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, sameSite: 'None' });
}

function allowedLogoutUrls(ctx: TenantContext, client: ClientRecord | undefined): string[] {
  const urls = client ? client['allowed_logout_urls'] : ctx.store.data.tenant['allowed_logout_urls'];
  return Array.isArray(urls) ? urls.filter((u): u is string => typeof u === 'string') : [];
}

function logoutUrlMismatch(parameter: string, url: string, client: ClientRecord | undefined): string {
  const where = client ? `the "Allowed Logout URLs" of the application ${client.name}` : 'the tenant\'s "Allowed Logout URLs"';
  return `invalid_request: The "${parameter}" parameter "${url}" is not defined as a valid URL in ${where}.`;
}

function oidcLoginPage(ctx: TenantContext, client: ClientRecord, request: AuthorizationRequest, error: string | undefined) {
  return loginPageFor(ctx, {
    client,
    connection: request.connection,
    action: '/u/login',
    hidden: { state: request.id },
    error,
    identifier: request.login_hint,
    linkFor: (connection) => `/u/login?state=${encodeURIComponent(request.id)}&connection=${encodeURIComponent(connection)}`,
    signupLink: `/u/signup?state=${encodeURIComponent(request.id)}`,
  });
}

/**
 * Sign-up for an authorization request: the form posts to the real `/dbconnections/signup`
 * (post-user-registration runs there), then logs the new user in through `/u/login`, as
 * Universal Login signs a new user in.
 */
function oidcSignupPage(ctx: TenantContext, client: ClientRecord, request: AuthorizationRequest) {
  const connections = ctx.store.data.connections.filter(
    (con) => con.strategy === 'auth0' && con.enabled_clients.includes(client.client_id) && con.options['disable_signup'] !== true,
  );
  const connection = connections.find((con) => con.name === request.connection) ?? connections[0];
  if (!connection) return page('Sign up', html`<p class="error">Sign-up is not open on any connection of this application.</p>`);
  const usesUsername =
    Boolean((connection.options['attributes'] as Record<string, unknown> | undefined)?.['username']) ||
    connection.options['requires_username'] === true;
  return signupPage({
    clientId: client.client_id,
    connections: [connection.name],
    askUsername: usesUsername,
    email: request.login_hint,
    loginState: request.id,
  });
}
