import { Hono } from 'hono';
import type { TenantContext } from '../context';
import { registerActions } from './actions';
import { registerClientGrants } from './client-grants';
import { registerClients } from './clients';
import { registerConnections } from './connections';
import { registerEmails } from './emails';
import { ApiError } from './errors';
import { conventionalScope, insufficientScope, requireScopes } from './scopes';
import { registerJobs } from './jobs';
import { registerResourceServers } from './resource-servers';
import { registerRoles } from './roles';
import { registerTenantSettings } from './tenant-settings';
import { registerTickets } from './tickets';
import { registerUsers } from './users';

/** Hono variables set by the bearer-token check: the token's client and its granted scopes. */
export type ManagementEnv = { Variables: { clientId: string; scopes: readonly string[] } };

/**
 * The Management API subset at /api/v2. Every route needs a bearer token from /oauth/token,
 * as Auth0 does (401 otherwise), carrying a scope the route requires (403 otherwise; the
 * table and its check are in ./scopes).
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
    c.set(
      'scopes',
      token.scope.split(' ').filter((scope) => scope !== ''),
    );
    await next();
  });
  api.use('*', requireScopes('/api/v2'));

  registerClients(api, ctx);
  registerClientGrants(api, ctx);
  registerConnections(api, ctx);
  registerResourceServers(api, ctx);
  registerActions(api, ctx);
  registerEmails(api, ctx);
  registerTenantSettings(api, ctx);
  registerUsers(api, ctx);
  registerRoles(api, ctx);
  registerTickets(api, ctx);
  registerJobs(api, ctx);
  registerUnsupported(api);
  return api;
}

/**
 * Resources this local tenant does not emulate. deploy-cli reads every resource type it
 * knows; Auth0 answers 403 "Insufficient scope" to a token without the read scope, which
 * deploy-cli treats as "skip this type" with a warning. The scope check answers so before
 * this route for every token the local tenant issues (no grant holds these scopes); a grant
 * made to hold one gets the same answer here, without pretending to store things we do not.
 */
function registerUnsupported(api: Hono<ManagementEnv>): void {
  api.all('*', (c) => {
    throw insufficientScope([conventionalScope(c.req.method, c.req.path.replace(/^\/api\/v2/, ''))]);
  });
}
