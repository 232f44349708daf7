import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { sameJson } from '../state/json';
import type { EmailProviderRecord, EmailTemplateRecord, JsonObject } from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { isJsonObject, optionalString, payloadError, readJsonObject } from './request-body';

/** Template names Auth0 accepts. */
const EMAIL_TEMPLATE_NAMES = [
  'verify_email',
  'verify_email_by_code',
  'reset_email',
  'reset_email_by_code',
  'welcome_email',
  'blocked_account',
  'stolen_credentials',
  'enrollment_email',
  'mfa_oob_code',
  'user_invitation',
  'change_password',
  'password_reset',
  'async_approval',
];

/** The email providers Auth0 knows; `custom` delivers through the custom-email-provider Action. */
const EMAIL_PROVIDER_NAMES = ['mailgun', 'mandrill', 'sendgrid', 'resend', 'ses', 'sparkpost', 'smtp', 'azure_cs', 'ms365', 'custom'];

/** Auth0's default link lifetime for email templates: 5 days. */
const DEFAULT_URL_LIFETIME_SECONDS = 432000;

export function registerEmails(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/email-templates/:name', (c) => c.json(requireTemplate(ctx, requireTemplateName(c.req.param('name')))));

  api.post('/email-templates', async (c) => {
    const body = await readJsonObject(c);
    requireResultUrlAllowed(ctx, body);
    const name = requireTemplateName(optionalString(body, 'template') ?? '');
    if (store.data.email_templates.some((t) => t.template === name)) {
      throw new ApiError(409, 'Template already exists', 'template_conflict');
    }
    const template = templateFrom(name, body, undefined);
    store.add('email_templates', template);
    return c.json(template, 200);
  });

  // PATCH updates the given fields; PUT replaces the template (creating it when missing).
  api.patch('/email-templates/:name', async (c) => {
    const current = requireTemplate(ctx, requireTemplateName(c.req.param('name')));
    const body = await readJsonObject(c);
    requireResultUrlAllowed(ctx, body);
    const next = templateFrom(current.template, body, current);
    return c.json(saveTemplate(ctx, current, next));
  });

  api.put('/email-templates/:name', async (c) => {
    const name = requireTemplateName(c.req.param('name'));
    const current = store.data.email_templates.find((t) => t.template === name);
    const body = await readJsonObject(c);
    requireResultUrlAllowed(ctx, body);
    const next = templateFrom(name, body, undefined);
    return c.json(saveTemplate(ctx, current, next));
  });

  api.get('/emails/provider', (c) => {
    const provider = requireProvider(ctx);
    return c.json(selectFields(providerResponse(provider), c.req.query('fields'), c.req.query('include_fields')));
  });

  api.post('/emails/provider', async (c) => {
    if (store.data.email_provider) throw new ApiError(409, 'An email provider is already configured', 'email_provider_conflict');
    const body = await readJsonObject(c);
    const name = requireProviderName(optionalString(body, 'name'));
    if (name === 'custom') requireCustomEmailAction(ctx);
    // The custom provider has no credentials: its Action holds them as secrets.
    const credentials = body['credentials'] ?? (name === 'custom' ? {} : undefined);
    if (!isJsonObject(credentials)) throw payloadError('Missing required property: credentials');
    const provider = store.setEmailProvider({
      enabled: true,
      default_from_address: '',
      settings: {},
      ...body,
      name,
      credentials,
    });
    return c.json(providerResponse(provider), 201);
  });

  api.patch('/emails/provider', async (c) => {
    const provider = requireProvider(ctx);
    const body = await readJsonObject(c);
    if ('credentials' in body && !isJsonObject(body['credentials'])) throw payloadError('Expected type object', 'credentials');
    if ('name' in body && requireProviderName(optionalString(body, 'name')) === 'custom') requireCustomEmailAction(ctx);
    const changed = Object.entries(body).some(([key, value]) => !sameJson(provider[key], value));
    if (changed) {
      store.update(provider, (p) => Object.assign(p, body));
    }
    return c.json(providerResponse(provider));
  });

  api.delete('/emails/provider', (c) => {
    requireProvider(ctx);
    store.setEmailProvider(null);
    return c.body(null, 204);
  });
}

/**
 * Auth0 refuses a template `resultUrl` ("Redirect To") on non-enterprise tenants created on or
 * after 2026-05-05 (docs-v2 customize/email/email-templates/customize-email-templates.mdx: "403 —
 * Customizations for resultUrl are not allowed for non-enterprise tenants"). The docs give the
 * status and the message; the body's shape and errorCode are those of Auth0's other
 * subscription refusal in a real tenant's recording (terraform-provider-auth0
 * test/data/recordings/TestAccAttackProtectionBotDetectionInsufficientEntitlement.yaml:
 * `{"statusCode":403,"error":"Forbidden","message":"Please upgrade your subscription ...",
 * "errorCode":"insufficient_entitlement"}`). An empty or null value customizes nothing and passes.
 */
const RESULT_URL_REFUSAL = 'Customizations for resultUrl are not allowed for non-enterprise tenants';

function requireResultUrlAllowed(ctx: TenantContext, body: JsonObject): void {
  const resultUrl = body['resultUrl'];
  if (resultUrl === undefined || resultUrl === null || resultUrl === '' || ctx.profile.templateResultUrlAllowed) return;
  throw new ApiError(403, RESULT_URL_REFUSAL, 'insufficient_entitlement');
}

function saveTemplate(ctx: TenantContext, current: EmailTemplateRecord | undefined, next: EmailTemplateRecord): EmailTemplateRecord {
  if (current && sameJson(current, next)) return current;
  ctx.store.replaceEmailTemplate(current, next);
  return next;
}

function templateFrom(name: string, body: JsonObject, base: EmailTemplateRecord | undefined): EmailTemplateRecord {
  const pick = <T>(key: string, check: (v: unknown) => v is T, fallback: T): T => {
    const value = body[key];
    if (value === undefined) return fallback;
    if (!check(value)) throw payloadError(`Invalid type for ${key}`, key);
    return value;
  };
  const isString = (v: unknown): v is string => typeof v === 'string';
  const isNumber = (v: unknown): v is number => typeof v === 'number';
  const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
  const extra: JsonObject = { ...body };
  delete extra['template'];
  return {
    ...(base ?? {}),
    ...extra,
    template: name,
    body: pick('body', isString, base?.body ?? ''),
    from: pick('from', isString, base?.from ?? ''),
    subject: pick('subject', isString, base?.subject ?? ''),
    syntax: pick('syntax', isString, base?.syntax ?? 'liquid'),
    resultUrl: pick('resultUrl', isString, base?.resultUrl ?? ''),
    urlLifetimeInSeconds: pick('urlLifetimeInSeconds', isNumber, base?.urlLifetimeInSeconds ?? DEFAULT_URL_LIFETIME_SECONDS),
    enabled: pick('enabled', isBoolean, base?.enabled ?? true),
  };
}

/**
 * Auth0 sets the custom provider only once an Action for the custom-email-provider trigger
 * exists (auth0-deploy-cli issue #950: deploy-cli now creates Actions before the provider).
 */
function requireCustomEmailAction(ctx: TenantContext): void {
  if (!ctx.store.data.actions.some((a) => a.supported_triggers.some((t) => t.id === 'custom-email-provider'))) {
    throw new ApiError(400, 'The custom email provider needs an action for the custom-email-provider trigger', 'invalid_body');
  }
}

function requireProviderName(name: string | undefined): string {
  if (!name) throw payloadError('Missing required property: name');
  if (!EMAIL_PROVIDER_NAMES.includes(name)) {
    throw payloadError(`No enum match for: "${name}"; it must be one of ${EMAIL_PROVIDER_NAMES.join(', ')}`, 'name');
  }
  return name;
}

function requireTemplateName(name: string): string {
  if (!EMAIL_TEMPLATE_NAMES.includes(name)) {
    throw payloadError(`Invalid template name: ${name}; it must be one of ${EMAIL_TEMPLATE_NAMES.join(', ')}`, 'template');
  }
  return name;
}

function requireTemplate(ctx: TenantContext, name: string): EmailTemplateRecord {
  const template = ctx.store.data.email_templates.find((t) => t.template === name);
  if (!template) throw new ApiError(404, 'The template does not exist.', 'inexistent_email_template');
  return template;
}

function requireProvider(ctx: TenantContext): EmailProviderRecord {
  if (!ctx.store.data.email_provider) throw new ApiError(404, 'Email provider is not configured', 'inexistent_email_provider');
  return ctx.store.data.email_provider;
}

/** Credentials are write-only, as in Auth0. */
function providerResponse(provider: EmailProviderRecord): JsonObject {
  const copy: JsonObject = { ...provider };
  delete copy['credentials'];
  return copy;
}

/** Auth0's `fields` + `include_fields` projection. */
export function selectFields(record: JsonObject, fields: string | undefined, includeFields: string | undefined): JsonObject {
  if (!fields) return record;
  const names = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const include = includeFields !== 'false';
  return Object.fromEntries(Object.entries(record).filter(([key]) => names.includes(key) === include));
}
