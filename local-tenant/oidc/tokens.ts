import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { TenantContext } from '../context';
import type { ClientRecord, ResourceServerRecord, UserRecord } from '../state/types';
import type { SigningKeys } from './keys';
import type { Grant, RefreshGrant } from './state';

/** Auth0's defaults: ID tokens live 36,000 s (client `jwt_configuration.lifetime_in_seconds`), access tokens 86,400 s. */
const ID_TOKEN_LIFETIME_S = 36_000;
const ACCESS_TOKEN_LIFETIME_S = 86_400;

/**
 * Claims an Action may not set (Auth0 "Create Custom Claims": restricted claims are ignored):
 * the registered JWT claims and those Auth0 itself manages.
 */
const RESTRICTED_CLAIMS = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'azp', 'nonce', 'auth_time', 'at_hash', 'c_hash', 'acr', 'amr', 'sid',
  'gty', 'scope', 'permissions', 'org_id', 'org_name', 'cnf',
]); // prettier-ignore

interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** `https://{domain}/`, the issuer of every token, with its trailing slash as Auth0 writes it. */
export function issuerOf(ctx: TenantContext): string {
  return `https://${ctx.urls.domain}/`;
}

/** The profile claims the granted scopes allow (OIDC Core §5.4), from the user as Auth0 fills them. */
export function profileClaims(user: UserRecord, scope: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scope.includes('profile')) {
    const local = user.email?.split('@')[0];
    if (user.given_name !== undefined) claims['given_name'] = user.given_name;
    if (user.family_name !== undefined) claims['family_name'] = user.family_name;
    claims['nickname'] = user.nickname ?? local ?? user.username ?? user.user_id;
    claims['name'] = user.name ?? user.email ?? user.username ?? user.user_id;
    claims['picture'] = user.picture ?? gravatar(user.email);
    claims['updated_at'] = user.updated_at;
  }
  if (scope.includes('email') && user.email !== undefined) {
    claims['email'] = user.email;
    claims['email_verified'] = user.email_verified;
  }
  return claims;
}

/** Auth0 defaults `picture` to the email's Gravatar. */
function gravatar(email: string | undefined): string {
  const hash = createHash('md5')
    .update((email ?? '').trim().toLowerCase())
    .digest('hex');
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=mp`;
}

function customClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !RESTRICTED_CLAIMS.has(name)));
}

interface MintInput {
  grant: RefreshGrant & Partial<Pick<Grant, 'nonce' | 'claims'>>;
  user: UserRecord;
  client: ClientRecord;
  /** The grant type, as Auth0 records it in the access token's `gty` where it is not a code. */
  gty?: string | undefined;
  refreshToken?: string | undefined;
}

export async function mintTokens(ctx: TenantContext, keys: SigningKeys, input: MintInput): Promise<TokenResponse> {
  const { grant, user, client } = input;
  const key = await keys.current();
  const issuer = issuerOf(ctx);
  const now = Math.floor(Date.now() / 1000);
  const userinfoAudience = `${issuer}userinfo`;
  const openid = grant.scope.includes('openid');
  const audiences = [grant.audience, openid ? userinfoAudience : undefined].filter((a): a is string => a !== undefined);
  // An API the developer defined sets the token's lifetime (its `token_lifetime`) and may ask for `permissions`.
  const api = grant.audience !== undefined ? ctx.store.findResourceServer(grant.audience) : undefined;
  const lifetime = api?.token_lifetime ?? ACCESS_TOKEN_LIFETIME_S;

  const accessPayload: JWTPayload = {
    ...customClaims(grant.claims?.accessToken ?? {}),
    iss: issuer,
    sub: user.user_id,
    aud: audiences.length === 1 ? audiences[0]! : audiences,
    iat: now,
    exp: now + lifetime,
    scope: grant.scope.join(' '),
    azp: client.client_id,
    gty: input.gty,
    ...(api && carriesPermissions(api) ? { permissions: [] } : {}),
  };
  const accessToken = await new SignJWT(accessPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);

  const response: TokenResponse = {
    access_token: accessToken,
    scope: grant.scope.join(' '),
    expires_in: lifetime,
    token_type: 'Bearer',
  };
  if (openid) {
    const idPayload: JWTPayload = {
      ...customClaims(grant.claims?.idToken ?? {}),
      ...profileClaims(user, grant.scope),
      iss: issuer,
      sub: user.user_id,
      aud: client.client_id,
      iat: now,
      exp: now + ID_TOKEN_LIFETIME_S,
      sid: grant.session_id,
      nonce: grant.nonce,
    };
    response.id_token = await new SignJWT(idPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
  }
  if (input.refreshToken !== undefined) response.refresh_token = input.refreshToken;
  return response;
}

/**
 * RBAC with "Add Permissions in the Access Token" (`enforce_policies` and an `_authz` dialect) puts
 * the user's permissions for the API in a `permissions` claim (docs-v2
 * get-started/apis/enable-role-based-access-control-for-apis.mdx). This tenant assigns no roles
 * or permissions, so the claim is always there and always empty.
 */
function carriesPermissions(api: ResourceServerRecord): boolean {
  const dialect = api['token_dialect'];
  return api['enforce_policies'] === true && (dialect === 'access_token_authz' || dialect === 'rfc9068_profile_authz');
}

/**
 * A client-credentials token for an API the developer defined: `sub` `<client_id>@clients`,
 * `gty` `client-credentials`, the scopes of the application's client grant that the API defines,
 * and the API's lifetime (docs-v2
 * get-started/authentication-and-authorization-flow/client-credentials-flow/call-your-api-using-the-client-credentials-flow.mdx;
 * `<client_id>@clients` and `client-credentials` as Auth0's machine-to-machine tokens carry them).
 */
export async function mintClientCredentialsToken(
  ctx: TenantContext,
  keys: SigningKeys,
  client: ClientRecord,
  api: ResourceServerRecord,
  granted: readonly string[],
): Promise<TokenResponse> {
  const key = await keys.current();
  const now = Math.floor(Date.now() / 1000);
  const scope = granted.filter((s) => api.scopes.some((defined) => defined.value === s)).join(' ');
  const payload: JWTPayload = {
    iss: issuerOf(ctx),
    sub: `${client.client_id}@clients`,
    aud: api.identifier,
    iat: now,
    exp: now + api.token_lifetime,
    scope,
    gty: 'client-credentials',
    azp: client.client_id,
    ...(carriesPermissions(api) ? { permissions: scope === '' ? [] : scope.split(' ') } : {}),
  };
  const accessToken = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
  return { access_token: accessToken, scope, expires_in: api.token_lifetime, token_type: 'Bearer' };
}

/** The subject and scope of an access token for /userinfo, or undefined when it does not verify. */
export async function verifyUserinfoToken(
  ctx: TenantContext,
  keys: SigningKeys,
  token: string,
): Promise<{ sub: string; scope: string[] } | undefined> {
  const key = await keys.current();
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      issuer: issuerOf(ctx),
      audience: `${issuerOf(ctx)}userinfo`,
      algorithms: ['RS256'],
    });
    if (typeof payload.sub !== 'string') return undefined;
    return { sub: payload.sub, scope: typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [] };
  } catch {
    return undefined;
  }
}

/** An ID token this tenant issued (expired ones too: /oidc/logout accepts them as a hint), or undefined. */
export async function readIdTokenHint(
  ctx: TenantContext,
  keys: SigningKeys,
  token: string,
): Promise<{ aud: string; sid?: string } | undefined> {
  const key = await keys.current();
  try {
    const { payload } = await jwtVerify(token, key.publicKey, { issuer: issuerOf(ctx), algorithms: ['RS256'], currentDate: new Date(0) });
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    if (typeof aud !== 'string') return undefined;
    return { aud, ...(typeof payload['sid'] === 'string' ? { sid: payload['sid'] } : {}) };
  } catch {
    return undefined;
  }
}
