import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { nowIso, randomId } from '../state/store';
import type { JsonObject, JsonValue } from '../state/types';
import { userResponse } from '../state/users';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { isJsonObject, optionalInteger, optionalString, payloadError, readJsonObject } from './request-body';

/**
 * Users-export jobs (docs-v2 manage-users/user-migration/bulk-user-exports.mdx):
 * `POST /api/v2/jobs/users-exports` answers the job `pending` (shape recorded in auth0/go-auth0
 * test/data/recordings/TestJobManager_ExportUsers.yaml: 200, `type: users_export`, the request's
 * fields echoed, `connection`, `created_at`, `id`); `GET /api/v2/jobs/{id}` reports `pending`,
 * `processing`, then `completed` with a `location`; the file there is gzipped NDJSON (json) or
 * CSV, downloaded without the Management API token (Auth0 hands out a signed S3 URL, valid 60 s).
 */

interface ExportField {
  name: string;
  export_as?: string;
}

interface ExportJob {
  id: string;
  created: number;
  createdAt: string;
  format: 'json' | 'csv';
  fields: ExportField[];
  connection?: { id: string; name: string };
  limit?: number;
  /** Built once, when the job completes: the users as they are then. */
  file?: Buffer;
  /** Signatures handed out by `GET /jobs/{id}` and when they expire. */
  links: Map<string, number>;
}

/** Auth0: "The download link is valid for 60 seconds." */
const LINK_TTL_MS = 60_000;
/** Auth0: "Data exports in CSV format are limited to 30 fields." */
const CSV_MAX_FIELDS = 30;
/** Used when the request names no fields (Auth0 uses "a predefined set"; its exact list is not documented). */
const DEFAULT_FIELDS: ExportField[] = [
  'user_id',
  'email',
  'email_verified',
  'username',
  'name',
  'created_at',
  'updated_at',
  'last_login',
  'logins_count',
].map((name) => ({ name }));

const jobsByTenant = new WeakMap<TenantContext, Map<string, ExportJob>>();

function jobsOf(ctx: TenantContext): Map<string, ExportJob> {
  let jobs = jobsByTenant.get(ctx);
  if (!jobs) jobsByTenant.set(ctx, (jobs = new Map<string, ExportJob>()));
  return jobs;
}

export function registerJobs(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  api.post('/jobs/users-exports', async (c) => {
    if (!ctx.profile.usersExportAllowed) {
      // The message is ours: no recording of a free tenant's answer was found (docs: "not available on the Free plan").
      throw new ApiError(403, 'Bulk user exports are not available on the Free plan.', 'operation_not_supported');
    }
    const body = await readJsonObject(c);
    const format = optionalString(body, 'format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw payloadError(`No enum match for: "${format}"`, 'format');
    const limit = optionalInteger(body, 'limit');
    if (limit !== undefined && limit < 1) throw payloadError('Value 0 is less than minimum 1', 'limit');
    const fields = readFields(body['fields'], format);
    const connectionId = optionalString(body, 'connection_id');
    let connection: ExportJob['connection'];
    if (connectionId !== undefined) {
      const found = ctx.store.findConnectionById(connectionId);
      if (!found) throw new ApiError(404, 'The connection does not exist', 'inexistent_connection');
      connection = { id: found.id, name: found.name };
    }
    const job: ExportJob = {
      id: randomId('job_', 8),
      created: Date.now(),
      createdAt: nowIso(),
      format,
      fields,
      ...(connection ? { connection } : {}),
      ...(limit !== undefined ? { limit } : {}),
      links: new Map(),
    };
    jobsOf(ctx).set(job.id, job);
    return c.json({
      type: 'users_export',
      status: 'pending',
      ...(connection ? { connection_id: connection.id } : {}),
      format,
      ...(limit !== undefined ? { limit } : {}),
      fields: fields as unknown as JsonValue,
      ...(connection ? { connection: connection.name } : {}),
      created_at: job.createdAt,
      id: job.id,
    });
  });

  api.get('/jobs/:id', (c) => {
    const job = jobsOf(ctx).get(c.req.param('id'));
    if (!job) throw new ApiError(404, 'The job does not exist.', 'inexistent_job');
    const elapsed = Date.now() - job.created;
    const duration = ctx.profile.timings.usersExportMs;
    const status = elapsed >= duration ? 'completed' : elapsed >= duration / 2 ? 'processing' : 'pending';
    const answer: JsonObject = {
      type: 'users_export',
      status,
      ...(job.connection ? { connection_id: job.connection.id, connection: job.connection.name } : {}),
      format: job.format,
      created_at: job.createdAt,
      id: job.id,
    };
    if (status === 'processing') answer['percentage_done'] = Math.min(99, Math.floor((elapsed / duration) * 100));
    if (status === 'completed') {
      job.file ??= exportFile(ctx, job);
      const signature = randomBytes(16).toString('hex');
      job.links.set(signature, Date.now() + LINK_TTL_MS);
      answer['location'] = `${ctx.urls.httpsUrl}/__exports/${job.id}/${exportFileName(job)}?signature=${signature}`;
    }
    return c.json(answer);
  });
}

/** The signed download, outside /api/v2 and without its token, as S3 serves Auth0's exports. */
export function registerExportDownloads(app: Hono, ctx: TenantContext): void {
  app.get('/__exports/:jobId/:file', (c) => {
    const job = jobsOf(ctx).get(c.req.param('jobId'));
    const expires = job?.links.get(c.req.query('signature') ?? '');
    if (!job?.file || expires === undefined || c.req.param('file') !== exportFileName(job)) {
      return c.text('AccessDenied', 403);
    }
    if (Date.now() > expires) return c.text('Request has expired', 403);
    return c.body(new Uint8Array(job.file), 200, { 'content-type': 'application/gzip' });
  });
}

/** Auth0: "The name of your tenant is also the name of your file", e.g. `auth0docs.json.gz`; the local tenant is `local`. */
function exportFileName(job: ExportJob): string {
  return `local.${job.format}.gz`;
}

function readFields(raw: JsonValue | undefined, format: 'json' | 'csv'): ExportField[] {
  if (raw === undefined || raw === null) return DEFAULT_FIELDS;
  if (!Array.isArray(raw)) throw payloadError('Expected type array but found type ' + typeof raw, 'fields');
  const fields = raw.map((item) => {
    if (!isJsonObject(item) || typeof item['name'] !== 'string' || item['name'] === '') {
      throw payloadError('Missing required property: name', 'fields');
    }
    const field: ExportField = { name: item['name'] };
    if (typeof item['export_as'] === 'string') field.export_as = item['export_as'];
    return field;
  });
  if (format === 'csv') {
    if (fields.length > CSV_MAX_FIELDS) throw payloadError(`Array is too long (${fields.length}), maximum ${CSV_MAX_FIELDS}`, 'fields');
    // Auth0: CSV exports "cannot include app_metadata or user_metadata as single objects".
    const whole = fields.find((f) => f.name === 'app_metadata' || f.name === 'user_metadata');
    if (whole) throw payloadError(`${whole.name} cannot be exported as a whole in CSV; name its fields`, 'fields');
  }
  return fields;
}

function exportFile(ctx: TenantContext, job: ExportJob): Buffer {
  let users = ctx.store.data.users;
  if (job.connection) users = users.filter((u) => u.connection === job.connection?.name);
  if (job.limit !== undefined) users = users.slice(0, job.limit);
  const rows = users.map((user) => {
    const profile = userResponse(user);
    return job.fields.map((field) => [field.export_as ?? field.name, valueAt(profile, field.name)] as const);
  });
  const text =
    job.format === 'json'
      ? rows.map((row) => JSON.stringify(Object.fromEntries(row.filter(([, v]) => v !== undefined)))).join('\n') +
        (rows.length > 0 ? '\n' : '')
      : [
          job.fields.map((f) => csvCell(f.export_as ?? f.name)).join(','),
          ...rows.map((row) => row.map(([, v]) => csvCell(v)).join(',')),
        ].join('\n') + '\n';
  return gzipSync(text);
}

/** `identities[0].connection`, `app_metadata.plan`, `email`: a path into the user as the API shows it. */
function valueAt(profile: JsonObject, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = profile;
  for (const part of path.split('.')) {
    const indexed = /^(.+)\[(\d+)\]$/.exec(part);
    const key = indexed?.[1] ?? part;
    if (!isJsonObject(current)) return undefined;
    current = current[key];
    if (indexed?.[2] !== undefined) current = Array.isArray(current) ? current[Number(indexed[2])] : undefined;
  }
  return current;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Auth0's CSV escaping (OWASP CSV injection): strings get a leading `'`, doubled `"`, and quotes; its own ISO dates stay bare. */
function csvCell(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return ISO_DATE.test(value) ? value : `"'${value.replace(/"/g, '""')}"`;
  if (typeof value === 'object') return `"'${JSON.stringify(value).replace(/"/g, '""')}"`;
  return String(value);
}
