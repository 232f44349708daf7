import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { readJsonOrForm } from '../management-api/request-body';
import { exchangeUserGrant, isUserGrantType, mintClientCredentialsToken } from '../oidc';
import { managementAudience } from './access-tokens';

/**
 * `POST /oauth/token`: client credentials (what deploy-cli, the SDK and the Actions use, and
 * machine-to-machine applications of the developer's own APIs) here;
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
      return c.json(
        {
          error: 'unsupported_grant_type',
          error_description: `Unsupported grant type: ${typeof grantType === 'string' ? grantType : JSON.stringify(grantType)}`,
        },
        403,
      );
    }
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
      return c.json({ error: 'access_denied', error_description: 'Unauthorized' }, 401);
    }
    const client = ctx.store.findClient(clientId);
    if (!client || client.client_secret !== clientSecret) {
      return c.json({ error: 'access_denied', error_description: 'Unauthorized' }, 401);
    }
    // The Management API by its canonical identifier alone (a custom domain or a missing trailing
    // slash is another, unknown, audience), or an API the developer defined (resource server).
    const canonical = managementAudience(ctx.urls.domain);
    const target = typeof audience === 'string' ? audience : canonical;
    const api = target === canonical ? undefined : ctx.store.findResourceServer(target);
    if (target !== canonical && !api) {
      return c.json({ error: 'access_denied', error_description: `Service not found: ${target}` }, 403);
    }
    const grantTypes = client['grant_types'];
    const allowed = client.client_id === ctx.bootstrapClientId || (Array.isArray(grantTypes) && grantTypes.includes('client_credentials'));
    if (!allowed) {
      return c.json(
        { error: 'unauthorized_client', error_description: "Grant type 'client_credentials' not allowed for the client." },
        403,
      );
    }
    // A token carries the scopes of the client's grant for the API; without a grant Auth0
    // refuses the request (body as quoted in auth0/ruby-auth0#610, a real tenant's answer).
    const grant = ctx.store.findClientGrant(client.client_id, target);
    if (!grant) {
      return c.json(
        {
          error: 'access_denied',
          error_description:
            `Client is not authorized to access "${target}". You need to create a "client-grant" associated to this API. ` +
            'See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants',
        },
        403,
      );
    }
    // An API of the developer's gets a signed JWT it can verify against the tenant's JWKS.
    if (api) return c.json(await mintClientCredentialsToken(ctx, ctx.oidc.keys, client, api, grant.scope));
    const scope = grant.scope.join(' ');
    const issued = ctx.tokens.issue(client.client_id, scope);
    return c.json({ ...issued, scope, token_type: 'Bearer' });
  });
}
