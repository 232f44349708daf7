import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CustomClaims } from '../state/hooks';

/**
 * What the OIDC endpoints remember between requests: authorization requests waiting for a login,
 * authorization codes, refresh tokens and login sessions. Kept in memory, as protocol state (a
 * restart ends every session, as if Auth0's had expired); the tenant's users stay in the store.
 */

export interface AuthorizationRequest {
  id: string;
  client_id: string;
  redirect_uri: string;
  response_mode: 'query' | 'form_post';
  scope: string[];
  state?: string;
  nonce?: string;
  audience?: string;
  code_challenge?: string;
  code_challenge_method?: 'S256' | 'plain';
  connection?: string;
  login_hint?: string;
  ui_locales?: string;
  prompt: string[];
  screen_hint?: string;
  created_at: number;
}

/** A finished login for one authorization request: what the code or refresh token stands for. */
export interface Grant {
  client_id: string;
  user_id: string;
  /** The login session (the ID token's `sid`); none for password-realm logins, which start no session. */
  session_id?: string;
  scope: string[];
  audience?: string;
  nonce?: string;
  auth_time: number;
  claims: CustomClaims;
}

interface CodeRecord {
  grant: Grant;
  redirect_uri: string;
  code_challenge?: string;
  code_challenge_method?: 'S256' | 'plain';
  expires_at: number;
  used: boolean;
}

/** What a refresh token keeps of its grant: claims come from post-login again on each exchange. */
export type RefreshGrant = Omit<Grant, 'claims' | 'nonce'>;

interface RefreshTokenRecord {
  grant: RefreshGrant;
  family: string;
  /** Set once a rotating token was exchanged; a second use is a reuse (the family is revoked). */
  exchanged: boolean;
  revoked: boolean;
}

interface Session {
  id: string;
  user_id: string;
  auth_time: number;
}

type CodeRedemption = { ok: true; grant: Grant } | { ok: false; description: string };
type RefreshExchange = { ok: true; grant: RefreshGrant; next: string } | { ok: false };

/**
 * RFC 6749 §4.1.2 asks for a short code lifetime (10 minutes at most); Auth0 publishes none, so a
 * short one here catches an app that exchanges its code late.
 */
const CODE_LIFETIME_MS = 60_000;
/** How long a login page may wait for its user before the transaction is forgotten. */
const REQUEST_LIFETIME_MS = 30 * 60_000;

const token = (bytes = 24): string => randomBytes(bytes).toString('base64url');

export class OidcState {
  private readonly requests = new Map<string, AuthorizationRequest>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly sessions = new Map<string, Session>();

  beginAuthorization(request: Omit<AuthorizationRequest, 'id' | 'created_at'>): AuthorizationRequest {
    this.forgetOld();
    const record: AuthorizationRequest = { ...request, id: token(16), created_at: Date.now() };
    this.requests.set(record.id, record);
    return record;
  }

  authorization(id: string | undefined): AuthorizationRequest | undefined {
    return id === undefined ? undefined : this.requests.get(id);
  }

  /** The login for a request succeeded: the request ends and a one-time code stands for the grant. */
  issueCode(request: AuthorizationRequest, grant: Grant): string {
    this.requests.delete(request.id);
    const code = token();
    this.codes.set(code, {
      grant,
      redirect_uri: request.redirect_uri,
      ...(request.code_challenge !== undefined ? { code_challenge: request.code_challenge } : {}),
      ...(request.code_challenge_method !== undefined ? { code_challenge_method: request.code_challenge_method } : {}),
      expires_at: Date.now() + CODE_LIFETIME_MS,
      used: false,
    });
    return code;
  }

  endAuthorization(request: AuthorizationRequest): void {
    this.requests.delete(request.id);
  }

  /** RFC 6749 §4.1.3 and RFC 7636 §4.6: once, by its client, with its redirect_uri and verifier. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined, verifier: string | undefined): CodeRedemption {
    const record = this.codes.get(code);
    if (!record || record.used || record.expires_at <= Date.now() || record.grant.client_id !== clientId) {
      return { ok: false, description: 'Invalid authorization code' };
    }
    if (redirectUri !== undefined && redirectUri !== record.redirect_uri) {
      return { ok: false, description: 'Invalid authorization code' };
    }
    if (record.code_challenge !== undefined) {
      if (verifier === undefined || !matchesChallenge(verifier, record.code_challenge, record.code_challenge_method ?? 'plain')) {
        return { ok: false, description: 'Failed to verify code verifier' };
      }
    }
    record.used = true;
    return { ok: true, grant: record.grant };
  }

  issueRefreshToken(grant: RefreshGrant, family = token(8)): string {
    const value = `v1.${token(32)}`;
    const kept: RefreshGrant = {
      client_id: grant.client_id,
      user_id: grant.user_id,
      scope: grant.scope,
      ...(grant.session_id !== undefined ? { session_id: grant.session_id } : {}),
      auth_time: grant.auth_time,
      ...(grant.audience !== undefined ? { audience: grant.audience } : {}),
    };
    this.refreshTokens.set(value, { grant: kept, family, exchanged: false, revoked: false });
    return value;
  }

  /**
   * A refresh-token exchange. Rotating: the token is spent and a new one of the same family
   * issued; a spent token used again revokes its family (Auth0 "Refresh Token Rotation",
   * reuse detection). Non-rotating: the same token again.
   */
  exchangeRefreshToken(value: string, clientId: string, rotating: boolean): RefreshExchange {
    const record = this.refreshTokens.get(value);
    if (!record || record.revoked || record.grant.client_id !== clientId) return { ok: false };
    if (!rotating) return { ok: true, grant: record.grant, next: value };
    if (record.exchanged) {
      for (const other of this.refreshTokens.values()) if (other.family === record.family) other.revoked = true;
      return { ok: false };
    }
    record.exchanged = true;
    const next = this.issueRefreshToken(record.grant, record.family);
    return { ok: true, grant: record.grant, next };
  }

  startSession(userId: string): Session {
    const session: Session = { id: token(16), user_id: userId, auth_time: Math.floor(Date.now() / 1000) };
    this.sessions.set(session.id, session);
    return session;
  }

  session(id: string | undefined): Session | undefined {
    return id === undefined ? undefined : this.sessions.get(id);
  }

  endSession(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [id, request] of this.requests) if (now - request.created_at > REQUEST_LIFETIME_MS) this.requests.delete(id);
    for (const [code, record] of this.codes) if (record.expires_at <= now) this.codes.delete(code);
  }
}

function matchesChallenge(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(computed);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
