import { randomBytes } from 'node:crypto';

/** Scopes granted to Management API tokens; the local tenant grants every client all of them. */
export const MANAGEMENT_API_SCOPES = [
  'read:actions',
  'create:actions',
  'update:actions',
  'delete:actions',
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'read:connections',
  'create:connections',
  'update:connections',
  'delete:connections',
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'read:email_templates',
  'create:email_templates',
  'update:email_templates',
  'read:email_provider',
  'create:email_provider',
  'update:email_provider',
  'read:tenant_settings',
  'update:tenant_settings',
  'create:user_tickets',
].join(' ');

export const TOKEN_LIFETIME_SECONDS = 86400;

interface IssuedToken {
  clientId: string;
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

  /** The client id the token was issued to, or undefined when unknown or expired. */
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
