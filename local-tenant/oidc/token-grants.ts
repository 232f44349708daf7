import type { Context } from 'hono';
import { performLogin, runPostLogin } from '../authentication-api/login';
import { triggerRequestInfo } from '../authentication-api/request-info';
import type { TenantContext } from '../context';
import type { ClientRecord, JsonObject } from '../state/types';
import { grantScope, knownAudience } from './requests';
import type { Grant } from './state';
import { mintTokens } from './tokens';

/** Auth0's password-realm extension grant (Authentication API, "Resource Owner Password Flow" with a realm). */
const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';
const USER_GRANT_TYPES = ['authorization_code', 'refresh_token', PASSWORD_REALM_GRANT] as const;
type UserGrantType = (typeof USER_GRANT_TYPES)[number];

export function isUserGrantType(value: unknown): value is UserGrantType {
  return typeof value === 'string' && (USER_GRANT_TYPES as readonly string[]).includes(value);
}

const str = (body: JsonObject, key: string): string | undefined => {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** OAuth error bodies as Auth0's /oauth/token answers them: `{ error, error_description }`. */
function oauthError(c: Context, status: 400 | 401 | 403, error: string, description: string): Response {
  return c.json({ error, error_description: description }, status);
}

/**
 * The token endpoint's grants for users: authorization code (with PKCE), refresh token (rotating
 * or not, as the client's `refresh_token.rotation_type` says), and password-realm. post-login runs
 * on the refresh-token exchange and the password-realm login, as Auth0 runs it.
 */
export async function exchangeUserGrant(ctx: TenantContext, c: Context, body: JsonObject, grantType: UserGrantType): Promise<Response> {
  const client = authenticateClient(ctx, c, body);
  if (!client) return oauthError(c, 401, 'access_denied', 'Unauthorized');
  const allowed = client['grant_types'];
  if (!Array.isArray(allowed) || !allowed.includes(grantType)) {
    return oauthError(c, 403, 'unauthorized_client', `Grant type '${grantType}' not allowed for the client.`);
  }
  const { oidc } = ctx;
  if (grantType === 'authorization_code') {
    const code = str(body, 'code');
    if (!code) return oauthError(c, 400, 'invalid_request', 'Missing required parameter: code');
    const redeemed = oidc.state.redeemCode(code, client.client_id, str(body, 'redirect_uri'), str(body, 'code_verifier'));
    if (!redeemed.ok) return oauthError(c, 403, 'invalid_grant', redeemed.description);
    return issue(ctx, c, client, redeemed.grant);
  }

  if (grantType === 'refresh_token') {
    const token = str(body, 'refresh_token');
    if (!token) return oauthError(c, 400, 'invalid_request', 'Missing required parameter: refresh_token');
    const rotating = (client['refresh_token'] as JsonObject | undefined)?.['rotation_type'] === 'rotating';
    const exchanged = oidc.state.exchangeRefreshToken(token, client.client_id, rotating);
    if (!exchanged.ok) return oauthError(c, 403, 'invalid_grant', 'Unknown or invalid refresh token.');
    const user = ctx.store.findUser(exchanged.grant.user_id);
    const connection = user ? ctx.store.findConnectionByName(user.connection) : undefined;
    if (!user || !connection) return oauthError(c, 403, 'invalid_grant', 'Unknown or invalid refresh token.');
    const login = await runPostLogin(
      ctx,
      {
        user,
        connection,
        client,
        request: triggerRequestInfo(c, body),
        transaction: { ui_locales: [], protocol: 'oauth2-refresh-token', requested_scopes: exchanged.grant.scope },
      },
      { countLogin: false },
    );
    if (!login.ok) return oauthError(c, login.status, login.error, login.error_description);
    const tokens = await mintTokens(ctx, oidc.keys, {
      grant: { ...exchanged.grant, claims: login.claims },
      user: login.user,
      client,
      refreshToken: exchanged.next,
    });
    return c.json(tokens);
  }

  // password-realm: the realm is the database connection; no browser, so no session.
  const username = str(body, 'username');
  const password = str(body, 'password');
  const realm = str(body, 'realm');
  if (!username || !password || !realm)
    return oauthError(c, 400, 'invalid_request', 'Missing required parameters: username, password and realm');
  const audience = str(body, 'audience');
  const api = audience !== undefined ? knownAudience(ctx, audience) : undefined;
  if (audience !== undefined && !api) return oauthError(c, 403, 'access_denied', `Service not found: ${audience}`);
  const scope = grantScope(str(body, 'scope'), api);
  const login = await performLogin(ctx, {
    connection: realm,
    identifier: username,
    password,
    client_id: client.client_id,
    request: triggerRequestInfo(c, body),
    transaction: { protocol: 'oauth2-password', requested_scopes: scope },
  });
  if (!login.ok) return oauthError(c, login.status, login.error, login.error_description);
  const grant: Grant = {
    client_id: client.client_id,
    user_id: login.user.user_id,
    scope,
    auth_time: Math.floor(Date.now() / 1000),
    claims: login.claims,
    ...(audience !== undefined ? { audience } : {}),
  };
  return issue(ctx, c, client, grant, 'password');
}

async function issue(ctx: TenantContext, c: Context, client: ClientRecord, grant: Grant, gty?: string): Promise<Response> {
  const user = ctx.store.findUser(grant.user_id);
  if (!user) return oauthError(c, 403, 'invalid_grant', 'Invalid authorization code');
  const allowed = client['grant_types'];
  // Auth0 issues a refresh token for offline_access when the client may use the refresh_token grant
  // and the API, if one was asked for, has "Allow Offline Access" on (docs-v2 get-started/apis/api-settings.mdx).
  const api = grant.audience !== undefined ? ctx.store.findResourceServer(grant.audience) : undefined;
  const refresh =
    grant.scope.includes('offline_access') &&
    Array.isArray(allowed) &&
    allowed.includes('refresh_token') &&
    (api === undefined || api.allow_offline_access);
  const tokens = await mintTokens(ctx, ctx.oidc.keys, {
    grant,
    user,
    client,
    gty,
    ...(refresh ? { refreshToken: ctx.oidc.state.issueRefreshToken(grant) } : {}),
  });
  return c.json(tokens);
}

/**
 * client_secret_post or client_secret_basic (Auth0 accepts either for a confidential client); a
 * client whose `token_endpoint_auth_method` is `none` (SPA, native) sends only its id and relies on PKCE.
 */
function authenticateClient(ctx: TenantContext, c: Context, body: JsonObject): ClientRecord | undefined {
  let clientId = str(body, 'client_id');
  let secret = str(body, 'client_secret');
  const basic = /^Basic\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
  if (basic?.[1]) {
    const [id, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    clientId = id ? decodeURIComponent(id) : clientId;
    secret = pass ? decodeURIComponent(pass) : secret;
  }
  const client = clientId ? ctx.store.findClient(clientId) : undefined;
  if (!client) return undefined;
  if (client['token_endpoint_auth_method'] === 'none') return client;
  return secret !== undefined && secret === client.client_secret ? client : undefined;
}
