import { Hono } from 'hono';
import type { TenantContext } from '../context';
import { registerActions } from './actions';
import { registerClients } from './clients';
import { registerConnections } from './connections';
import { registerEmails } from './emails';
import { ApiError } from './errors';
import { registerJobs } from './jobs';
import { registerTenantSettings } from './tenant-settings';
import { registerTickets } from './tickets';
import { registerUsers } from './users';

/** Hono variables set by the bearer-token check. */
export type ManagementEnv = { Variables: { clientId: string } };

/**
 * The Management API subset at /api/v2. Every route needs a bearer token from /oauth/token,
 * as Auth0 does (401 otherwise).
 */
export function createManagementApi(ctx: TenantContext): Hono<ManagementEnv> {
  const api = new Hono<ManagementEnv>();

  api.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'Missing authentication', 'invalid_token');
    const token = ctx.tokens.verify(match[1].trim());
    if (!token) throw new ApiError(401, 'Invalid token', 'invalid_token');
    c.set('clientId', token.clientId);
    await next();
  });

  registerClients(api, ctx);
  registerConnections(api, ctx);
  registerActions(api, ctx);
  registerEmails(api, ctx);
  registerTenantSettings(api, ctx);
  registerUsers(api, ctx);
  registerTickets(api, ctx);
  registerJobs(api, ctx);
  registerUnsupported(api);
  return api;
}

/**
 * Resources this local tenant does not emulate. deploy-cli reads every resource type it
 * knows; Auth0 answers 403 "Insufficient scope" to a token without the read scope, which
 * deploy-cli treats as "skip this type" with a warning. Answering the same here keeps the
 * import working without pretending to store things we do not.
 */
function registerUnsupported(api: Hono<ManagementEnv>): void {
  api.all('*', (c) => {
    const resource = c.req.path.replace(/^\/api\/v2\//, '').split('/')[0] ?? '';
    const verb = c.req.method === 'GET' ? 'read' : c.req.method === 'DELETE' ? 'delete' : c.req.method === 'POST' ? 'create' : 'update';
    throw new ApiError(403, `Insufficient scope, expected any of: ${verb}:${resource.replace(/-/g, '_')}`, 'insufficient_scope');
  });
}
