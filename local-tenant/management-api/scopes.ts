import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { isJsonObject } from './request-body';

/**
 * The scopes each Management API endpoint of this local tenant requires: a token needs any one
 * of them. Taken from Auth0's Management API reference, the `<Scopes scopes={[...]}>` of each
 * endpoint's page in auth0/docs-v2 `main/docs/api/management/v2/<group>/<page>.mdx` (read at
 * commit 092b879e3, December 2026); `doc` names the page. Every route the management API serves
 * has its row here (local-tenant/test/scopes.test.ts checks it), and one middleware enforces it.
 */
interface EndpointScopes {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The route as Hono writes it, relative to /api/v2. */
  path: string;
  /** Any one of these is enough, in Auth0's order (which its error message repeats). */
  anyOf: readonly string[];
  /** The docs-v2 page, under main/docs/api/management/v2/. */
  doc: string;
}

const ENDPOINT_SCOPES: readonly EndpointScopes[] = [
  { method: 'GET', path: '/actions/actions', anyOf: ['read:actions'], doc: 'actions/get-actions.mdx' },
  { method: 'POST', path: '/actions/actions', anyOf: ['create:actions'], doc: 'actions/post-action.mdx' },
  { method: 'GET', path: '/actions/actions/:id', anyOf: ['read:actions'], doc: 'actions/get-action.mdx' },
  { method: 'PATCH', path: '/actions/actions/:id', anyOf: ['update:actions'], doc: 'actions/patch-action.mdx' },
  { method: 'DELETE', path: '/actions/actions/:id', anyOf: ['delete:actions'], doc: 'actions/delete-action.mdx' },
  { method: 'POST', path: '/actions/actions/:id/deploy', anyOf: ['create:actions'], doc: 'actions/post-deploy-action.mdx' },
  { method: 'GET', path: '/actions/actions/:id/versions', anyOf: ['read:actions'], doc: 'actions/get-action-versions.mdx' },
  {
    method: 'GET',
    path: '/actions/actions/:actionId/versions/:id',
    anyOf: ['read:actions'],
    doc: 'actions/get-action-version.mdx',
  },
  { method: 'GET', path: '/actions/modules', anyOf: ['read:actions'], doc: 'actions/get-action-modules.mdx' },
  { method: 'GET', path: '/actions/triggers', anyOf: ['read:actions'], doc: 'actions/get-triggers.mdx' },
  { method: 'GET', path: '/actions/triggers/:triggerId/bindings', anyOf: ['read:actions'], doc: 'actions/get-bindings.mdx' },
  { method: 'PATCH', path: '/actions/triggers/:triggerId/bindings', anyOf: ['update:actions'], doc: 'actions/patch-bindings.mdx' },
  { method: 'GET', path: '/client-grants', anyOf: ['read:client_grants'], doc: 'client-grants/get-client-grants.mdx' },
  { method: 'POST', path: '/client-grants', anyOf: ['create:client_grants'], doc: 'client-grants/post-client-grants.mdx' },
  { method: 'GET', path: '/client-grants/:id', anyOf: ['read:client_grants'], doc: 'client-grants/get-client-grant.mdx' },
  { method: 'PATCH', path: '/client-grants/:id', anyOf: ['update:client_grants'], doc: 'client-grants/patch-client-grants-by-id.mdx' },
  { method: 'DELETE', path: '/client-grants/:id', anyOf: ['delete:client_grants'], doc: 'client-grants/delete-client-grants-by-id.mdx' },
  {
    method: 'GET',
    path: '/clients',
    anyOf: ['read:clients', 'read:client_keys', 'read:client_credentials', 'read:client_summary'],
    doc: 'clients/get-clients.mdx',
  },
  { method: 'POST', path: '/clients', anyOf: ['create:clients'], doc: 'clients/post-clients.mdx' },
  {
    method: 'GET',
    path: '/clients/:id',
    anyOf: ['read:clients', 'read:client_keys', 'read:client_credentials', 'read:client_summary'],
    doc: 'clients/get-clients-by-id.mdx',
  },
  {
    method: 'PATCH',
    path: '/clients/:id',
    anyOf: ['update:clients', 'update:client_keys', 'update:client_credentials', 'update:client_token_vault_privileged_access'],
    doc: 'clients/patch-clients-by-id.mdx',
  },
  { method: 'DELETE', path: '/clients/:id', anyOf: ['delete:clients'], doc: 'clients/delete-clients-by-id.mdx' },
  { method: 'GET', path: '/clients/:id/credentials', anyOf: ['read:client_credentials'], doc: 'clients/get-credentials.mdx' },
  { method: 'GET', path: '/connections', anyOf: ['read:connections'], doc: 'connections/get-connections.mdx' },
  { method: 'POST', path: '/connections', anyOf: ['create:connections'], doc: 'connections/post-connections.mdx' },
  { method: 'GET', path: '/connections/:id', anyOf: ['read:connections'], doc: 'connections/get-connections-by-id.mdx' },
  { method: 'PATCH', path: '/connections/:id', anyOf: ['update:connections'], doc: 'connections/patch-connections-by-id.mdx' },
  { method: 'DELETE', path: '/connections/:id', anyOf: ['delete:connections'], doc: 'connections/delete-connections-by-id.mdx' },
  { method: 'GET', path: '/connections/:id/clients', anyOf: ['read:connections'], doc: 'connections/get-connection-clients.mdx' },
  { method: 'PATCH', path: '/connections/:id/clients', anyOf: ['update:connections'], doc: 'connections/patch-clients.mdx' },
  { method: 'POST', path: '/email-templates', anyOf: ['create:email_templates'], doc: 'email-templates/post-email-templates.mdx' },
  {
    method: 'GET',
    path: '/email-templates/:name',
    anyOf: ['read:email_templates'],
    doc: 'email-templates/get-email-templates-by-template-name.mdx',
  },
  {
    method: 'PATCH',
    path: '/email-templates/:name',
    anyOf: ['update:email_templates'],
    doc: 'email-templates/patch-email-templates-by-template-name.mdx',
  },
  {
    method: 'PUT',
    path: '/email-templates/:name',
    anyOf: ['update:email_templates'],
    doc: 'email-templates/put-email-templates-by-template-name.mdx',
  },
  { method: 'GET', path: '/emails/provider', anyOf: ['read:email_provider'], doc: 'emails/get-provider.mdx' },
  { method: 'POST', path: '/emails/provider', anyOf: ['create:email_provider'], doc: 'emails/post-provider.mdx' },
  { method: 'PATCH', path: '/emails/provider', anyOf: ['update:email_provider'], doc: 'emails/patch-provider.mdx' },
  { method: 'DELETE', path: '/emails/provider', anyOf: ['delete:email_provider'], doc: 'emails/delete-provider.mdx' },
  { method: 'POST', path: '/jobs/users-exports', anyOf: ['read:users'], doc: 'jobs/post-users-exports.mdx' },
  { method: 'POST', path: '/jobs/verification-email', anyOf: ['update:users'], doc: 'jobs/post-verification-email.mdx' },
  { method: 'GET', path: '/jobs/:id', anyOf: ['create:users', 'read:users'], doc: 'jobs/get-jobs-by-id.mdx' },
  { method: 'GET', path: '/resource-servers', anyOf: ['read:resource_servers'], doc: 'resource-servers/get-resource-servers.mdx' },
  { method: 'POST', path: '/resource-servers', anyOf: ['create:resource_servers'], doc: 'resource-servers/post-resource-servers.mdx' },
  {
    method: 'GET',
    path: '/resource-servers/:id',
    anyOf: ['read:resource_servers'],
    doc: 'resource-servers/get-resource-servers-by-id.mdx',
  },
  {
    method: 'PATCH',
    path: '/resource-servers/:id',
    anyOf: ['update:resource_servers'],
    doc: 'resource-servers/patch-resource-servers-by-id.mdx',
  },
  {
    method: 'DELETE',
    path: '/resource-servers/:id',
    anyOf: ['delete:resource_servers'],
    doc: 'resource-servers/delete-resource-servers-by-id.mdx',
  },
  { method: 'GET', path: '/tenants/settings', anyOf: ['read:tenant_settings'], doc: 'tenants/tenant-settings-route.mdx' },
  { method: 'PATCH', path: '/tenants/settings', anyOf: ['update:tenant_settings'], doc: 'tenants/patch-settings.mdx' },
  { method: 'POST', path: '/tickets/email-verification', anyOf: ['create:user_tickets'], doc: 'tickets/post-email-verification.mdx' },
  { method: 'POST', path: '/tickets/password-change', anyOf: ['create:user_tickets'], doc: 'tickets/post-password-change.mdx' },
  { method: 'GET', path: '/users', anyOf: ['read:users', 'read:user_idp_tokens'], doc: 'users/get-users.mdx' },
  { method: 'POST', path: '/users', anyOf: ['create:users'], doc: 'users/post-users.mdx' },
  {
    method: 'GET',
    path: '/users/:id',
    anyOf: ['read:users', 'read:current_user', 'read:user_idp_tokens'],
    doc: 'users/get-users-by-id.mdx',
  },
  {
    method: 'PATCH',
    path: '/users/:id',
    anyOf: ['update:users', 'update:users_app_metadata', 'update:current_user_metadata'],
    doc: 'users/patch-users-by-id.mdx',
  },
  { method: 'DELETE', path: '/users/:id', anyOf: ['delete:users', 'delete:current_user'], doc: 'users/delete-users-by-id.mdx' },
  {
    method: 'GET',
    path: '/users/:id/roles',
    anyOf: ['read:users', 'read:roles', 'read:role_members'],
    doc: 'users/get-user-roles.mdx',
  },
  { method: 'POST', path: '/users/:id/roles', anyOf: ['update:users', 'create:role_members'], doc: 'users/post-user-roles.mdx' },
  { method: 'GET', path: '/users-by-email', anyOf: ['read:users'], doc: 'users-by-email/get-users-by-email.mdx' },
];

/** Every scope the table names: what a local client may be granted. */
export const KNOWN_MANAGEMENT_SCOPES: readonly string[] = [...new Set(ENDPOINT_SCOPES.flatMap((e) => e.anyOf))].sort();

interface CompiledRoute {
  entry: EndpointScopes;
  pattern: RegExp;
}

const COMPILED: readonly CompiledRoute[] = ENDPOINT_SCOPES.map((entry) => ({
  entry,
  pattern: new RegExp(`^${entry.path.replace(/:[A-Za-z]+/g, '[^/]+')}/?$`),
}));

/** The table's row for a request (path relative to /api/v2), if it has one. */
export function endpointScopes(method: string, path: string): EndpointScopes | undefined {
  // Literal segments first: `/jobs/users-exports` is not `/jobs/:id`.
  const params = (route: CompiledRoute) => route.entry.path.split(':').length;
  const matches = COMPILED.filter((route) => route.entry.method === method && route.pattern.test(path));
  return matches.sort((a, b) => params(a) - params(b))[0]?.entry;
}

/**
 * For a route the table lacks (a resource this tenant does not emulate), the scope Auth0's
 * naming gives it: `read:`/`create:`/`update:`/`delete:` and the resource, `-` as `_`.
 */
export function conventionalScope(method: string, path: string): string {
  const resource = path.replace(/^\//, '').split('/')[0] ?? '';
  const verb = method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : method === 'POST' ? 'create' : 'update';
  return `${verb}:${resource.replace(/-/g, '_')}`;
}

/**
 * Auth0's answer to a token without the endpoint's scope, e.g. (auth0/auth0-cli
 * internal/cli/api_test.go; the hapi-style message lists the scopes joined by commas):
 * `{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: create:client_grants","errorCode":"insufficient_scope"}`
 */
export function insufficientScope(anyOf: readonly string[]): ApiError {
  return new ApiError(403, `Insufficient scope, expected any of: ${anyOf.join(',')}`, 'insufficient_scope');
}

/** Fields `update:users_app_metadata` alone may change ("only the user.app_metadata attribute"). */
const APP_METADATA_ONLY = ['app_metadata'];

/**
 * The one place the local Management API checks scopes, after the bearer token's: the token's
 * scopes against the endpoint's row. `update:users_app_metadata` lets a PATCH of a user change
 * only `app_metadata` (docs-v2 manage-users/user-accounts/manage-users-using-the-management-api.mdx);
 * a body with more asks for `update:users` (Auth0's exact message for that case is not
 * documented; this one has the same shape).
 */
export function requireScopes(prefix: string): MiddlewareHandler<ManagementEnv> {
  return async (c, next) => {
    const path = c.req.path.slice(prefix.length) || '/';
    const granted = c.get('scopes');
    const entry = endpointScopes(c.req.method, path);
    const anyOf = entry?.anyOf ?? [conventionalScope(c.req.method, path)];
    const held = anyOf.filter((scope) => granted.includes(scope));
    if (held.length === 0) throw insufficientScope(anyOf);
    if (entry?.path === '/users/:id' && c.req.method === 'PATCH' && held.every((s) => s === 'update:users_app_metadata')) {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        body = undefined; // the handler answers the malformed body
      }
      if (isJsonObject(body) && Object.keys(body).some((key) => !APP_METADATA_ONLY.includes(key))) {
        throw insufficientScope(['update:users']);
      }
    }
    await next();
  };
}
