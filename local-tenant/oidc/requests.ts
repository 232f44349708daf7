import { managementAudience } from '../authentication-api/access-tokens';
import type { TenantContext } from '../context';
import type { ClientRecord, ResourceServerRecord } from '../state/types';
import type { AuthorizationRequest } from './state';

/** The scopes this tenant grants a user login (OIDC Core §5.4 plus offline_access); others are dropped, as Auth0 drops unknown ones. */
const USER_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/** An audience this tenant knows: the Management API, or an API the developer defined (resource server). */
type KnownAudience = { identifier: string; server?: ResourceServerRecord };

/**
 * The scopes a user login is granted: the OIDC ones asked for, plus those asked for that the
 * audience's API defines. With RBAC on (`enforce_policies`) an API scope is granted only when the
 * user holds it as a permission ("the scope claim ... will be an intersection of the requested
 * permissions and the permissions assigned to the user", docs-v2
 * get-started/apis/enable-role-based-access-control-for-apis.mdx); this tenant assigns no
 * permissions, so none is.
 */
export function grantScope(requested: string | undefined, audience?: KnownAudience): string[] {
  const asked = (requested ?? 'openid').split(/\s+/).filter(Boolean);
  const server = audience?.server;
  const defined = server && server['enforce_policies'] !== true ? server.scopes.map((s) => s.value) : [];
  return [...USER_SCOPES, ...defined.filter((scope) => !USER_SCOPES.includes(scope))].filter((scope) => asked.includes(scope));
}

/**
 * The audience an `audience` parameter names: the Management API (its canonical identifier) or a
 * resource server defined through /api/v2/resource-servers. Auth0 answers `access_denied`
 * "Service not found: <audience>" to an identifier it does not know.
 */
export function knownAudience(ctx: TenantContext, audience: string): KnownAudience | undefined {
  if (audience === managementAudience(ctx.urls.domain)) return { identifier: audience };
  const server = ctx.store.findResourceServer(audience);
  return server ? { identifier: audience, server } : undefined;
}

type ParsedAuthorization =
  /** Nothing to redirect to: the page shows the error (unknown client, callback mismatch). */
  | { ok: false; page: string }
  /** The redirect_uri is trusted: the error goes back to the application (RFC 6749 §4.1.2.1). */
  | {
      ok: false;
      redirect: { redirect_uri: string; response_mode: 'query' | 'form_post'; state?: string; error: string; description: string };
    }
  | { ok: true; client: ClientRecord; request: Omit<AuthorizationRequest, 'id' | 'created_at'> };

/** `GET /authorize`'s parameters checked as Auth0 checks them, in the order an error is reported. */
export function parseAuthorization(ctx: TenantContext, query: Record<string, string>): ParsedAuthorization {
  const clientId = query['client_id'];
  const client = clientId ? ctx.store.findClient(clientId) : undefined;
  if (!client) return { ok: false, page: `Unknown client: ${clientId ?? '(none)'}` };
  const redirectUri = query['redirect_uri'];
  const callbacks = Array.isArray(client['callbacks']) ? (client['callbacks'] as unknown[]) : [];
  // Auth0 "Callback URL mismatch": only a listed callback URL receives the browser.
  if (!redirectUri || !callbacks.includes(redirectUri)) {
    return {
      ok: false,
      page: `Callback URL mismatch. ${redirectUri ?? '(none)'} is not in the list of allowed callback URLs of the application.`,
    };
  }
  const mode = query['response_mode'] ?? 'query';
  const state = query['state'];
  const fail = (error: string, description: string): ParsedAuthorization => ({
    ok: false,
    redirect: {
      redirect_uri: redirectUri,
      response_mode: mode === 'form_post' ? 'form_post' : 'query',
      error,
      description,
      ...(state !== undefined ? { state } : {}),
    },
  });
  if (mode !== 'query' && mode !== 'form_post') return fail('invalid_request', `Unsupported response_mode: ${mode}`);
  if (query['response_type'] !== 'code')
    return fail('unsupported_response_type', `Unsupported response type: ${query['response_type'] ?? '(none)'}`);
  const grants = client['grant_types'];
  if (!Array.isArray(grants) || !grants.includes('authorization_code')) {
    return fail('unauthorized_client', "Grant type 'authorization_code' not allowed for the client.");
  }
  const challenge = query['code_challenge'];
  const method = query['code_challenge_method'] ?? (challenge !== undefined ? 'plain' : undefined);
  if (method !== undefined && method !== 'S256' && method !== 'plain') return fail('invalid_request', 'Unsupported code_challenge_method');
  // A client without a secret (SPA, native) must prove the code is its own (PKCE).
  if (client['token_endpoint_auth_method'] === 'none' && challenge === undefined)
    return fail('invalid_request', 'Parameter code_challenge is required');
  const audience = query['audience'];
  const api = audience !== undefined && audience !== '' ? knownAudience(ctx, audience) : undefined;
  if (audience !== undefined && audience !== '' && !api) return fail('access_denied', `Service not found: ${audience}`);
  const connection = query['connection'];
  if (connection !== undefined && connection !== '') {
    const found = ctx.store.findConnectionByName(connection);
    if (!found || !found.enabled_clients.includes(client.client_id))
      return fail('invalid_request', `the connection was disabled or does not exist: ${connection}`);
  }
  const prompt = (query['prompt'] ?? '').split(/\s+/).filter(Boolean);
  const optional = (key: string): Record<string, string> => {
    const value = query[key];
    return value !== undefined && value !== '' ? { [key]: value } : {};
  };
  return {
    ok: true,
    client,
    request: {
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_mode: mode,
      scope: grantScope(query['scope'], api),
      prompt,
      ...optional('state'),
      ...optional('nonce'),
      ...optional('audience'),
      ...optional('code_challenge'),
      ...(method !== undefined ? { code_challenge_method: method } : {}),
      ...optional('connection'),
      ...optional('login_hint'),
      ...optional('ui_locales'),
      ...optional('screen_hint'),
    },
  };
}

/** Where the browser goes back to the application: the redirect_uri with the answer in the query, or a self-posting form. */
export function applicationResponse(
  target: { redirect_uri: string; response_mode: 'query' | 'form_post' },
  params: Record<string, string>,
): { redirect: string } | { formPost: { action: string; fields: Record<string, string> } } {
  if (target.response_mode === 'form_post') return { formPost: { action: target.redirect_uri, fields: params } };
  const url = new URL(target.redirect_uri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return { redirect: url.toString() };
}
