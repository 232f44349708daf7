import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { readJsonOrForm } from '../management-api/request-body';
import { MANAGEMENT_API_SCOPES } from './access-tokens';
import { exchangeUserGrant, isUserGrantType } from '../oidc';

/**
 * `POST /oauth/token`: client credentials (what deploy-cli, the SDK and the Actions use) here;
 * the grants of user logins (code, refresh token, password-realm) in ../oidc. Errors use the OAuth shape `{ error, error_description }` as Auth0's Authentication
 * API does, not the Management API's.
 */
export function registerOAuthToken(app: Hono, ctx: TenantContext): void {
  app.post('/oauth/token', async (c) => {
    let body;
    try {
      body = await readJsonOrForm(c);
    } catch {
      return c.json({ error: 'invalid_request', error_description: 'Invalid request body' }, 400);
    }
    const grantType = body['grant_type'];
    const clientId = body['client_id'];
    const clientSecret = body['client_secret'];
    const audience = body['audience'];
    if (isUserGrantType(grantType)) return exchangeUserGrant(ctx, c, body, grantType);
    if (grantType !== 'client_credentials') {
      return c.json({ error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${String(grantType)}` }, 403);
    }
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
      return c.json({ error: 'access_denied', error_description: 'Unauthorized' }, 401);
    }
    const client = ctx.store.findClient(clientId);
    if (!client || client.client_secret !== clientSecret) {
      return c.json({ error: 'access_denied', error_description: 'Unauthorized' }, 401);
    }
    // Auth0 needs an audience it knows; the only API here is the Management API.
    if (typeof audience === 'string' && !/\/api\/v2\/?$/.test(audience)) {
      return c.json({ error: 'access_denied', error_description: `Service not found: ${audience}` }, 403);
    }
    const grantTypes = client['grant_types'];
    const allowed = client.client_id === ctx.bootstrapClientId || (Array.isArray(grantTypes) && grantTypes.includes('client_credentials'));
    if (!allowed) {
      return c.json(
        { error: 'unauthorized_client', error_description: "Grant type 'client_credentials' not allowed for the client." },
        403,
      );
    }
    const issued = ctx.tokens.issue(client.client_id, MANAGEMENT_API_SCOPES);
    return c.json({ ...issued, scope: MANAGEMENT_API_SCOPES, token_type: 'Bearer' });
  });
}
