import type { Hono } from 'hono';
import { managementAudience } from '../authentication-api/access-tokens';
import type { TenantContext } from '../context';
import { randomId } from '../state/store';
import type { JsonObject, ResourceServerRecord, ResourceServerScope } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { offsetEnvelope, readPageRequest } from './pagination';
import { readJsonObject } from './request-body';

/**
 * APIs (resource servers) the developer defines, so that `/authorize?audience=<identifier>` and
 * the token endpoint issue access tokens for them (oidc/tokens.ts). Shapes as a real tenant
 * answers them: POST 201 `{ id, name, identifier, scopes: [{ value, description }], signing_alg,
 * allow_offline_access, token_lifetime, token_lifetime_for_web,
 * skip_consent_for_verifiable_first_party_clients }` and DELETE 204 (go-auth0 recording
 * TestResourceServer_Create); the list with include_totals `{ total, start, limit,
 * resource_servers }` (TestResourceServer_List). `enforce_policies` and `token_dialect` are kept
 * when given (docs-v2 get-started/apis/enable-role-based-access-control-for-apis.mdx). GET, PATCH
 * and DELETE take the id or the identifier, as Auth0 does (terraform-provider-auth0's
 * `auth0_resource_server` data source reads by either).
 *
 * The Management API, a system API on every tenant, is not listed: this tenant knows it by its
 * audience alone (docs/local-tenant.md, "API audiences").
 */
export function registerResourceServers(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/resource-servers', (c) => {
    const page = readPageRequest((n) => c.req.query(n));
    return c.json(offsetEnvelope('resource_servers', store.data.resource_servers.map(view), page));
  });

  api.get('/resource-servers/:id', (c) => c.json(view(requireResourceServer(ctx, c.req.param('id')))));

  api.post('/resource-servers', async (c) => {
    const body = await readJsonObject(c);
    const identifier = body['identifier'];
    if (typeof identifier !== 'string' || identifier.trim() === '') {
      throw new ApiError(400, "Payload validation error: 'Missing required property: identifier'.", 'invalid_body');
    }
    if (identifier === managementAudience(ctx.urls.domain) || store.findResourceServer(identifier)) {
      // A 409 as for other duplicates; the exact words of Auth0's answer are not recorded publicly.
      throw new ApiError(409, 'A resource server with the same identifier already exists', 'resource_server_conflict');
    }
    const server: ResourceServerRecord = {
      id: randomId('', 12),
      name: identifier,
      identifier,
      scopes: [],
      signing_alg: 'RS256',
      allow_offline_access: false,
      token_lifetime: 86_400,
      token_lifetime_for_web: 7_200,
      skip_consent_for_verifiable_first_party_clients: false,
    };
    applySettings(server, body);
    store.add('resource_servers', server);
    return c.json(view(server), 201);
  });

  api.patch('/resource-servers/:id', async (c) => {
    const server = requireResourceServer(ctx, c.req.param('id'));
    const body = await readJsonObject(c);
    // The identifier is the audience tokens already carry: Auth0 does not let it change.
    if ('identifier' in body || 'id' in body) {
      throw new ApiError(400, "Payload validation error: 'Additional properties not allowed: identifier'.", 'invalid_body');
    }
    const changed = { ...server };
    applySettings(changed, body);
    store.update(server, (rs) => Object.assign(rs, changed));
    return c.json(view(server));
  });

  api.delete('/resource-servers/:id', (c) => {
    const server = requireResourceServer(ctx, c.req.param('id'));
    store.removeResourceServer(server);
    return c.body(null, 204);
  });
}

const TOKEN_DIALECTS = ['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz'];

/** The settings a POST or PATCH may carry, checked; a wrong type is Auth0's 400 naming the property. */
function applySettings(server: ResourceServerRecord, body: JsonObject): void {
  const invalid = (property: string, expected: string) =>
    new ApiError(
      400,
      `Payload validation error: 'Expected type ${expected} but found type ${typeof body[property]}' on property ${property}.`,
      'invalid_body',
    );
  for (const key of ['name'] as const) {
    if (key in body) {
      const value = body[key];
      if (typeof value !== 'string') throw invalid(key, 'string');
      server[key] = value;
    }
  }
  for (const key of ['token_lifetime', 'token_lifetime_for_web'] as const) {
    if (key in body) {
      const value = body[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_592_000) throw invalid(key, 'integer');
      server[key] = value;
    }
  }
  for (const key of ['allow_offline_access', 'skip_consent_for_verifiable_first_party_clients', 'enforce_policies'] as const) {
    if (key in body) {
      const value = body[key];
      if (typeof value !== 'boolean') throw invalid(key, 'boolean');
      server[key] = value;
    }
  }
  if ('signing_alg' in body) {
    // Auth0 offers RS256, PS256 and HS256; this tenant signs with its one RSA key (RS256) only.
    if (body['signing_alg'] !== 'RS256') {
      throw new ApiError(400, 'Payload validation error: the local tenant signs access tokens with RS256 only.', 'invalid_body');
    }
    server.signing_alg = 'RS256';
  }
  if ('token_dialect' in body) {
    const dialect = body['token_dialect'];
    if (typeof dialect !== 'string' || !TOKEN_DIALECTS.includes(dialect)) {
      throw new ApiError(400, `Payload validation error: 'token_dialect' must be one of ${TOKEN_DIALECTS.join(', ')}.`, 'invalid_body');
    }
    server['token_dialect'] = dialect;
  }
  if ('scopes' in body) server.scopes = readScopes(body['scopes']);
}

function readScopes(raw: unknown): ResourceServerScope[] {
  if (!Array.isArray(raw)) throw new ApiError(400, "Payload validation error: 'scopes' must be an array.", 'invalid_body');
  return raw.map((entry) => {
    const value = (entry as JsonObject | null)?.['value'];
    const description = (entry as JsonObject | null)?.['description'];
    if (typeof value !== 'string' || value === '' || /\s/.test(value)) {
      throw new ApiError(400, "Payload validation error: each scope needs a 'value' without spaces.", 'invalid_body');
    }
    return { value, description: typeof description === 'string' ? description : '' };
  });
}

function view(server: ResourceServerRecord): ResourceServerRecord {
  return { ...server, scopes: server.scopes.map((s) => ({ ...s })) };
}

function requireResourceServer(ctx: TenantContext, idOrIdentifier: string): ResourceServerRecord {
  const server = ctx.store.data.resource_servers.find((rs) => rs.id === idOrIdentifier || rs.identifier === idOrIdentifier);
  if (!server) throw new ApiError(404, 'The resource server does not exist', 'inexistent_resource_server');
  return server;
}
