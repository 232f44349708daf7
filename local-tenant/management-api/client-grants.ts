import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { randomId } from '../state/store';
import type { ClientGrantRecord, JsonObject } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { offsetEnvelope, readPageRequest } from './pagination';
import { readJsonObject } from './request-body';

/**
 * Client grants: which scopes an application may request for an API. Shapes as a real tenant
 * answers them (auth0/terraform-provider-auth0 test/data/recordings/TestAccClientGrant.yaml):
 * `{ id: "cgr_…", client_id, audience, scope: [...], subject_type }`, a list with
 * include_totals as `{ total, start, limit, client_grants }`, DELETE 204. The token endpoint
 * reads them (authentication-api/oauth-token.ts).
 */
export function registerClientGrants(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/client-grants', (c) => {
    const page = readPageRequest((n) => c.req.query(n));
    const audience = c.req.query('audience');
    const clientId = c.req.query('client_id');
    const grants = store.data.client_grants.filter(
      (g) => (audience === undefined || g.audience === audience) && (clientId === undefined || g.client_id === clientId),
    );
    return c.json(offsetEnvelope('client_grants', grants.map(view), page));
  });

  api.get('/client-grants/:id', (c) => c.json(view(requireGrant(ctx, c.req.param('id')))));

  api.post('/client-grants', async (c) => {
    const body = await readJsonObject(c);
    const clientId = body['client_id'];
    const audience = body['audience'];
    const scope = readScope(body);
    if (typeof clientId !== 'string' || typeof audience !== 'string' || scope === undefined) {
      throw new ApiError(400, "Payload validation error: 'Missing required property: client_id, audience or scope'.", 'invalid_body');
    }
    if (!store.findClient(clientId)) throw new ApiError(404, 'The client does not exist', 'inexistent_client');
    // One grant per client and audience (the exact words of Auth0's 409 are not recorded publicly).
    if (store.findClientGrant(clientId, audience)) {
      throw new ApiError(409, 'A client grant for this client and audience already exists', 'client_grant_conflict');
    }
    const grant: ClientGrantRecord = { id: randomId('cgr_', 8), client_id: clientId, audience, scope, subject_type: 'client' };
    store.add('client_grants', grant);
    return c.json(view(grant), 201);
  });

  // Only `scope` (and fields this tenant does not model) may change; client and audience are fixed.
  api.patch('/client-grants/:id', async (c) => {
    const grant = requireGrant(ctx, c.req.param('id'));
    const body = await readJsonObject(c);
    if ('client_id' in body || 'audience' in body) {
      throw new ApiError(400, 'Payload validation error: client_id and audience cannot be changed', 'invalid_body');
    }
    if ('scope' in body) {
      const scope = readScope(body);
      if (scope === undefined) throw new ApiError(400, "Payload validation error: 'scope' must be an array of strings", 'invalid_body');
      store.update(grant, (g) => (g.scope = scope));
    }
    return c.json(view(grant));
  });

  api.delete('/client-grants/:id', (c) => {
    const grant = requireGrant(ctx, c.req.param('id'));
    store.remove('client_grants', (g) => g === grant);
    return c.body(null, 204);
  });
}

function readScope(body: JsonObject): string[] | undefined {
  const scope = body['scope'];
  if (!Array.isArray(scope) || !scope.every((s): s is string => typeof s === 'string')) return undefined;
  return [...new Set(scope)];
}

function view(grant: ClientGrantRecord): ClientGrantRecord {
  return { subject_type: 'client', ...grant, scope: [...grant.scope] };
}

function requireGrant(ctx: TenantContext, id: string): ClientGrantRecord {
  const grant = ctx.store.data.client_grants.find((g) => g.id === id);
  if (!grant) throw new ApiError(404, 'The client grant does not exist', 'inexistent_client_grant');
  return grant;
}
