import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import type { RoleRecord } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { pageSlice, readPageRequest } from './pagination';
import { payloadError, readJsonObject } from './request-body';
import { requireUser } from './users';

/**
 * A user's roles (RBAC): `POST /api/v2/users/{id}/roles` adds roles by id and answers 204 with no
 * body; `GET` lists them, `{ roles, start, limit, total }` with include_totals (go-auth0
 * TestUserManager_Roles.yaml #2, #3). Roles themselves are made in the store (tests) only.
 */
export function registerRoles(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.post('/users/:id/roles', async (c) => {
    const user = requireUser(ctx, c.req.param('id'));
    const body = await readJsonObject(c);
    const roles = body.roles;
    // docs-v2 api/management/v2/users/post-user-roles.mdx: `roles`, an array of role ids, at least one.
    if (!Array.isArray(roles)) throw payloadError('Missing required property: roles');
    if (roles.length === 0) throw payloadError('Array is too short (0), minimum 1', 'roles');
    if (!roles.every((role): role is string => typeof role === 'string')) throw payloadError('Expected type string', 'roles');
    // An unknown role id: Auth0 answers 404 and assigns none (its exact message is not in a public recording).
    const unknown = roles.find((role) => store.findRole(role) === undefined);
    if (unknown !== undefined) throw new ApiError(404, `Role ${unknown} not found`, 'inexistent_role');
    store.assignRoles(user.user_id, roles);
    return c.body(null, 204);
  });

  api.get('/users/:id/roles', (c) => {
    const user = requireUser(ctx, c.req.param('id'));
    const page = readPageRequest((n) => c.req.query(n));
    const roles = store.rolesOf(user.user_id).map(({ id, name, description }): RoleRecord => ({ id, name, description }));
    const window = pageSlice(roles, page);
    if (!page.includeTotals) return c.json(window);
    return c.json({ roles: window, start: page.page * page.perPage, limit: page.perPage, total: roles.length });
  });
}
