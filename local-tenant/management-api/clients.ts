import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import type { TenantContext } from '../context';
import { sameJson } from '../state/json';
import type { ClientRecord, JsonObject } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { offsetEnvelope, readPageRequest } from './pagination';
import { isJsonObject, optionalString, payloadError, readJsonObject } from './request-body';

/** Fields Auth0 computes and refuses in a PATCH body. */
const READ_ONLY_CLIENT_FIELDS = ['client_id', 'tenant', 'global', 'signing_keys', 'owners'];

export function registerClients(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/clients', (c) => {
    const page = readPageRequest((n) => c.req.query(n));
    let clients = store.data.clients;
    const isFirstParty = c.req.query('is_first_party');
    if (isFirstParty !== undefined) clients = clients.filter((cl) => (cl['is_first_party'] !== false) === (isFirstParty === 'true'));
    // Global (tenant-wide "All Applications") clients are not emulated, so is_global=true lists none.
    if (c.req.query('is_global') === 'true') clients = [];
    return c.json(offsetEnvelope('clients', clients, page));
  });

  api.get('/clients/:id', (c) => c.json(requireClient(ctx, c.req.param('id'))));

  api.post('/clients', async (c) => {
    const body = await readJsonObject(c);
    const name = optionalString(body, 'name');
    if (!name) throw new ApiError(400, "Payload validation error: 'Missing required property: name'.", 'invalid_body');
    checkClientMetadata(body);
    const client: ClientRecord = {
      is_first_party: true,
      callbacks: [],
      allowed_origins: [],
      web_origins: [],
      grant_types: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_method: 'client_secret_post',
      client_metadata: {},
      ...withoutReadOnly(body),
      name,
      client_id: randomBytes(16).toString('hex'),
      client_secret: randomBytes(32).toString('base64url'),
    };
    store.add('clients', client);
    return c.json(client, 201);
  });

  api.patch('/clients/:id', async (c) => {
    const client = requireClient(ctx, c.req.param('id'));
    const body = withoutReadOnly(await readJsonObject(c));
    checkClientMetadata(body);
    // Only a real change touches the state: a re-import of an unchanged directory is a no-op.
    const changed = Object.entries(body).some(([key, value]) => !sameJson(client[key], value));
    if (changed) {
      store.update(client, (cl) => Object.assign(cl, body));
    }
    return c.json(client);
  });

  api.delete('/clients/:id', (c) => {
    const client = requireClient(ctx, c.req.param('id'));
    if (client.client_id === ctx.bootstrapClientId) {
      throw new ApiError(400, 'The client used by this local tenant to deploy cannot be deleted', 'operation_not_supported');
    }
    store.removeClient(client);
    return c.body(null, 204);
  });

  // Client credentials (private key JWT) are not emulated: no client has any.
  api.get('/clients/:id/credentials', (c) => {
    requireClient(ctx, c.req.param('id'));
    return c.json([]);
  });
}

function requireClient(ctx: TenantContext, clientId: string): ClientRecord {
  const client = ctx.store.findClient(clientId);
  if (!client) throw new ApiError(404, 'The client does not exist', 'inexistent_client');
  return client;
}

/**
 * Auth0's limits on client_metadata: "an object with string values (max 255 chars). Maximum of
 * 10 metadata properties allowed. Field names (max 255 chars) are alphanumeric and may only
 * include the following special characters: :,-+=_*?"/\()<>@ [Tab] [Space]" (Management API
 * schema ClientMetadata; docs-v2 manage-users/user-accounts/metadata/metadata-fields-data.mdx).
 * The Actions read their per-application email settings from it, so a configuration Auth0
 * refuses must fail here too. Answered in Auth0's payload-validation style.
 */
const CLIENT_METADATA_MAX_KEYS = 10;
const CLIENT_METADATA_MAX_CHARS = 255;
const CLIENT_METADATA_KEY = /^[A-Za-z0-9:,\-+=_*?"/\\()<>@\t ]+$/;

function checkClientMetadata(body: JsonObject): void {
  const metadata = body['client_metadata'];
  if (metadata === undefined) return;
  if (!isJsonObject(metadata))
    throw payloadError('Expected type object but found type ' + (Array.isArray(metadata) ? 'array' : typeof metadata), 'client_metadata');
  const entries = Object.entries(metadata);
  if (entries.length > CLIENT_METADATA_MAX_KEYS) {
    throw payloadError(`Too many properties defined (${entries.length}), maximum ${CLIENT_METADATA_MAX_KEYS}`, 'client_metadata');
  }
  for (const [key, value] of entries) {
    if (key.length > CLIENT_METADATA_MAX_CHARS || !CLIENT_METADATA_KEY.test(key)) {
      throw payloadError(`Property name ${JSON.stringify(key.slice(0, 40))} is not allowed`, 'client_metadata');
    }
    if (typeof value !== 'string') {
      throw payloadError(
        `Expected type string but found type ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`,
        `client_metadata.${key}`,
      );
    }
    if (value.length > CLIENT_METADATA_MAX_CHARS) {
      throw payloadError(`String is too long (${value.length} chars), maximum ${CLIENT_METADATA_MAX_CHARS}`, `client_metadata.${key}`);
    }
  }
}

function withoutReadOnly(body: JsonObject): JsonObject {
  const copy: JsonObject = { ...body };
  for (const field of READ_ONLY_CLIENT_FIELDS) delete copy[field];
  // A client's secret is rotated through its own endpoint, never set by PATCH.
  delete copy['client_secret'];
  return copy;
}
