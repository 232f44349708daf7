import { randomBytes } from 'node:crypto';

/**
 * The Management API's identifier: the audience a client-credentials request names and its
 * client grant is for. Auth0 accepts only the canonical domain here, never a custom domain
 * (docs-v2 secure/tokens/access-tokens/management-api-access-tokens).
 */
export function managementAudience(domain: string): string {
  return `https://${domain}/api/v2/`;
}

const TOKEN_LIFETIME_SECONDS = 86400;

interface IssuedToken {
  clientId: string;
  /** The granted scopes, as the token's `scope` claim lists them (space-separated). */
  scope: string;
  expiresAt: number;
}

/**
 * Opaque bearer tokens kept in memory. Auth0 issues RS256 JWTs; no client of this project
 * decodes them, so opaque random strings are enough and cannot be mistaken for real ones.
 * Tokens do not survive a restart: the SDKs fetch a new one after a 401.
 */
export class AccessTokenRegistry {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(clientId: string, scope: string): { access_token: string; expires_in: number } {
    const accessToken = `local.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, { clientId, scope, expiresAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000 });
    return { access_token: accessToken, expires_in: TOKEN_LIFETIME_SECONDS };
  }

  /** The client and scopes the token was issued with, or undefined when unknown or expired. */
  verify(accessToken: string): IssuedToken | undefined {
    const token = this.tokens.get(accessToken);
    if (!token) return undefined;
    if (token.expiresAt <= Date.now()) {
      this.tokens.delete(accessToken);
      return undefined;
    }
    return token;
  }
}
