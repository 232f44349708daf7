import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import type { TenantContext } from '../context';
import { sameJson } from '../state/json';
import { DEFAULT_PASSWORD_POLICY } from '../state/passwords';
import type { ConnectionRecord, JsonObject } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { offsetEnvelope, readPageRequest } from './pagination';
import { isJsonObject, optionalString, payloadError, readJsonObject } from './request-body';

const IMMUTABLE_CONNECTION_FIELDS = ['name', 'strategy', 'id'];

export function registerConnections(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/connections', (c) => {
    let connections = store.data.connections;
    const strategies = c.req.queries('strategy') ?? [];
    if (strategies.length > 0) connections = connections.filter((con) => strategies.includes(con.strategy));
    const name = c.req.query('name');
    if (name !== undefined) connections = connections.filter((con) => con.name === name);
    const body = connections.map(connectionResponse);

    // Checkpoint pagination (`take` / `from`), which the SDKs use: `{ connections, next? }`.
    const take = c.req.query('take');
    const from = c.req.query('from');
    if (take !== undefined || from !== undefined) {
      const size = Math.min(Number(take ?? 50) || 50, 100);
      const start = from ? Number(Buffer.from(from, 'base64url').toString('utf8')) || 0 : 0;
      const slice = body.slice(start, start + size);
      const next = start + size < body.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
      return c.json(next ? { connections: slice, next } : { connections: slice });
    }
    return c.json(
      offsetEnvelope(
        'connections',
        body,
        readPageRequest((n) => c.req.query(n)),
      ),
    );
  });

  api.get('/connections/:id', (c) => c.json(connectionResponse(requireConnection(ctx, c.req.param('id')))));

  api.post('/connections', async (c) => {
    const body = await readJsonObject(c);
    const name = optionalString(body, 'name');
    const strategy = optionalString(body, 'strategy');
    if (!name) throw payloadError('Missing required property: name');
    if (!strategy) throw payloadError('Missing required property: strategy');
    if (store.findConnectionByName(name)) {
      throw new ApiError(409, 'A connection with the same name already exists', 'connection_conflict');
    }
    const given = body['options'] ?? {};
    if (!isJsonObject(given)) throw payloadError('Expected type object but found type ' + typeof given, 'options');
    // A database connection created without a policy gets `good` (go-auth0 recording
    // TestConnectionManager_Create "It_can_successfully_create_a_Auth0_Connection"; see passwords.ts).
    const options: JsonObject =
      strategy === 'auth0' && !('passwordPolicy' in given) ? { ...given, passwordPolicy: DEFAULT_PASSWORD_POLICY } : given;
    const enabledClients = readClientIdList(body['enabled_clients']);
    const rest: JsonObject = { ...body };
    delete rest['enabled_clients'];
    const connection: ConnectionRecord = {
      display_name: name,
      is_domain_connection: false,
      realms: [name],
      ...rest,
      id: `con_${randomBytes(8).toString('hex')}`,
      name,
      strategy,
      options,
      enabled_clients: enabledClients,
    };
    store.add('connections', connection);
    return c.json(connectionResponse(connection), 201);
  });

  api.patch('/connections/:id', async (c) => {
    const connection = requireConnection(ctx, c.req.param('id'));
    const body = await readJsonObject(c);
    for (const field of IMMUTABLE_CONNECTION_FIELDS) {
      if (field in body) throw payloadError(`Additional properties not allowed: ${field}`);
    }
    const update: JsonObject = { ...body };
    if ('enabled_clients' in update) {
      update['enabled_clients'] = readClientIdList(update['enabled_clients']);
    }
    // Auth0 replaces `options` as a whole on PATCH (deploy-cli merges with a GET first).
    if ('options' in update && !isJsonObject(update['options'])) throw payloadError('Expected type object', 'options');
    const changed = Object.entries(update).some(([key, value]) => !sameJson(connection[key], value));
    if (changed) {
      store.update(connection, (con) => Object.assign(con, update));
    }
    return c.json(connectionResponse(connection));
  });

  api.delete('/connections/:id', (c) => {
    const connection = requireConnection(ctx, c.req.param('id'));
    store.removeConnection(connection);
    return c.json({}, 202);
  });

  // Enabled clients, the API that replaced `enabled_clients` on the connection object.
  api.get('/connections/:id/clients', (c) => {
    const connection = requireConnection(ctx, c.req.param('id'));
    return c.json({ clients: connection.enabled_clients.map((client_id) => ({ client_id })) });
  });

  api.patch('/connections/:id/clients', async (c) => {
    const connection = requireConnection(ctx, c.req.param('id'));
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new ApiError(400, 'Invalid request payload JSON format', 'invalid_body');
    }
    if (!Array.isArray(body)) throw payloadError('Expected type array but found type object');
    const enabled = new Set(connection.enabled_clients);
    for (const item of body) {
      if (!isJsonObject(item) || typeof item['client_id'] !== 'string' || typeof item['status'] !== 'boolean') {
        throw payloadError('Each item needs client_id (string) and status (boolean)');
      }
      if (!store.findClient(item['client_id'])) throw new ApiError(404, 'The client does not exist', 'inexistent_client');
      if (item['status']) enabled.add(item['client_id']);
      else enabled.delete(item['client_id']);
    }
    const next = [...enabled];
    if (!sameJson([...next].sort(), [...connection.enabled_clients].sort())) {
      store.update(connection, (con) => (con.enabled_clients = next));
    }
    return c.body(null, 204);
  });
}

/** Auth0 still returns the (deprecated) enabled_clients array on the connection. */
function connectionResponse(connection: ConnectionRecord): JsonObject {
  return { ...connection };
}

function requireConnection(ctx: TenantContext, id: string): ConnectionRecord {
  const connection = ctx.store.findConnectionById(id);
  if (!connection) throw new ApiError(404, 'The connection does not exist', 'inexistent_connection');
  return connection;
}

function readClientIdList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw payloadError('Expected type array of strings', 'enabled_clients');
  }
  return value;
}
