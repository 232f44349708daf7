import type { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { deliverTenantEmail } from '../authentication-api/email-delivery';
import { renderTemplateEmail, tenantTemplate } from '../authentication-api/template-emails';
import type { TenantContext } from '../context';
import { nowIso } from '../state/store';
import { createTicket, ticketUrl } from '../state/tickets';
import type { JsonObject } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { optionalBoolean, optionalInteger, optionalString, payloadError, readJsonObject } from './request-body';
import { requireUser } from './users';

interface CommonTicketParams {
  user_id: string;
  result_url?: string;
  client_id?: string;
  ttl_sec?: number;
  includeEmailInRedirect: boolean;
}

export function registerTickets(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  api.post('/tickets/password-change', async (c) => {
    const body = await readJsonObject(c);
    const params = readCommonParams(ctx, body);
    const ticket = createTicket(ctx.store, {
      kind: 'password-change',
      user_id: params.user_id,
      include_email_in_redirect: params.includeEmailInRedirect,
      mark_email_as_verified: optionalBoolean(body, 'mark_email_as_verified') ?? false,
      ...optionalTicketFields(params),
    });
    return c.json({ ticket: ticketUrl(ctx.urls.publicUrl, ticket) }, 201);
  });

  api.post('/tickets/email-verification', async (c) => {
    const body = await readJsonObject(c);
    const params = readCommonParams(ctx, body);
    const user = requireUser(ctx, params.user_id);
    if (!user.email) throw new ApiError(400, 'The user does not have an email address', 'invalid_body');
    const ticket = createTicket(ctx.store, {
      kind: 'email-verification',
      user_id: params.user_id,
      include_email_in_redirect: params.includeEmailInRedirect,
      ...optionalTicketFields(params),
    });
    return c.json({ ticket: ticketUrl(ctx.urls.publicUrl, ticket) }, 201);
  });

  // Auth0 sends its own verify_email message; locally it is rendered and put in the outbox.
  api.post('/jobs/verification-email', async (c) => {
    const body = await readJsonObject(c);
    const userId = optionalString(body, 'user_id');
    if (!userId) throw payloadError('Missing required property: user_id');
    const user = requireUser(ctx, userId);
    if (!user.email) throw new ApiError(400, 'The user does not have an email address', 'invalid_body');
    const clientId = optionalString(body, 'client_id');
    const client = clientId ? ctx.store.findClient(clientId) : undefined;
    if (clientId && !client) throw new ApiError(400, 'The client does not exist', 'inexistent_client');
    const template = tenantTemplate(ctx, 'verify_email');
    const ticket = createTicket(ctx.store, {
      kind: 'email-verification',
      user_id: user.user_id,
      ttl_sec: template?.urlLifetimeInSeconds ?? 0,
      ...(template?.resultUrl ? { result_url: template.resultUrl } : {}),
      ...(clientId ? { client_id: clientId } : {}),
    });
    const connection = ctx.store.findConnectionByName(user.connection);
    const email = await renderTemplateEmail(ctx, {
      template: 'verify_email',
      user,
      url: ticketUrl(ctx.urls.publicUrl, ticket),
      ...(client ? { client } : {}),
      ...(connection ? { connection } : {}),
    });
    if (email) await deliverTenantEmail(ctx, email, { user, ...(client ? { client } : {}), ...(connection ? { connection } : {}) });
    const job: JsonObject = {
      status: 'completed',
      type: 'verification_email',
      created_at: nowIso(),
      id: `job_${randomBytes(8).toString('hex')}`,
    };
    return c.json(job, 201);
  });
}

/** Auth0's validation of the parameters both ticket endpoints share. */
function readCommonParams(ctx: TenantContext, body: JsonObject): CommonTicketParams {
  const userId = optionalString(body, 'user_id');
  const resultUrl = optionalString(body, 'result_url');
  const clientId = optionalString(body, 'client_id');
  const ttlSec = optionalInteger(body, 'ttl_sec');
  const includeEmailInRedirect = optionalBoolean(body, 'includeEmailInRedirect') ?? false;
  if (!userId) throw payloadError('Missing required property: user_id');
  if (resultUrl !== undefined && clientId !== undefined) {
    throw new ApiError(400, 'The parameters result_url and client_id cannot be used together.', 'invalid_body');
  }
  if (resultUrl !== undefined && !/^https?:\/\//.test(resultUrl))
    throw payloadError("Object didn't pass validation for format absolute-uri", 'result_url');
  if (ttlSec !== undefined && ttlSec < 0) throw payloadError('Must be greater than or equal to 0', 'ttl_sec');
  if (clientId !== undefined && !ctx.store.findClient(clientId)) throw new ApiError(400, 'The client does not exist', 'inexistent_client');
  requireUser(ctx, userId);
  const params: CommonTicketParams = { user_id: userId, includeEmailInRedirect };
  if (resultUrl !== undefined) params.result_url = resultUrl;
  if (clientId !== undefined) params.client_id = clientId;
  if (ttlSec !== undefined) params.ttl_sec = ttlSec;
  return params;
}

function optionalTicketFields(params: CommonTicketParams): { result_url?: string; client_id?: string; ttl_sec?: number } {
  const out: { result_url?: string; client_id?: string; ttl_sec?: number } = {};
  if (params.result_url !== undefined) out.result_url = params.result_url;
  if (params.client_id !== undefined) out.client_id = params.client_id;
  if (params.ttl_sec !== undefined) out.ttl_sec = params.ttl_sec;
  return out;
}
