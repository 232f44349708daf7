import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { sameJson } from '../state/json';
import { mergeOneLevel } from '../state/store';
import type { JsonObject } from '../state/types';
import { selectFields } from './emails';
import type { ManagementEnv } from './index';
import { isJsonObject, readJsonObject } from './request-body';

export function registerTenantSettings(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/tenants/settings', (c) => c.json(selectFields(store.data.tenant, c.req.query('fields'), c.req.query('include_fields'))));

  api.patch('/tenants/settings', async (c) => {
    const body = await readJsonObject(c);
    const next: JsonObject = { ...store.data.tenant };
    for (const [key, value] of Object.entries(body)) {
      // Auth0 merges `flags` (and other nested settings objects) rather than replacing them.
      const current = next[key];
      next[key] = isJsonObject(current) && isJsonObject(value) ? mergeOneLevel(current, value) : value;
    }
    if (!sameJson(next, store.data.tenant)) {
      store.setTenantSettings(next);
    }
    return c.json(store.data.tenant);
  });
}
