import { Liquid } from 'liquidjs';
import type { TenantContext } from '../context';
import type { ClientRecord, ConnectionRecord, EmailTemplateRecord, JsonObject, UserRecord } from '../state/types';

/** Minimal stand-ins for Auth0's built-in templates, used when the tenant has none. */
const DEFAULT_TEMPLATES: Record<string, { subject: string; body: string }> = {
  reset_email: {
    subject: 'Reset your password',
    body: '<p>Hello {{ user.email }},</p><p>Click here to change your password: <a href="{{ url }}">{{ url }}</a></p>',
  },
  verify_email: {
    subject: 'Verify your email',
    body: '<p>Hello {{ user.email }},</p><p>Please verify your email: <a href="{{ url }}">{{ url }}</a></p>',
  },
  welcome_email: { subject: 'Welcome to {{ friendly_name }}', body: '<p>Welcome {{ user.email }}!</p>' },
};

// HTML output escapes every value (names and metadata are user-controlled); the subject is plain text.
const htmlEngine = new Liquid({ outputEscape: 'escape', strictFilters: false, strictVariables: false });
const textEngine = new Liquid({ strictFilters: false, strictVariables: false });

export interface TemplateRenderInput {
  template: string;
  user: UserRecord;
  url?: string;
  client?: ClientRecord;
  connection?: ConnectionRecord;
  requestLanguage?: string;
}

export interface RenderedTemplateEmail {
  template: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  user_id: string;
}

/** The tenant's stored template of that name, enabled or not. */
export function tenantTemplate(ctx: TenantContext, name: string): EmailTemplateRecord | undefined {
  return ctx.store.data.email_templates.find((t) => t.template === name);
}

/**
 * Render an Auth0 email template with Auth0's Liquid variables. Returns undefined when the
 * user has no email (nothing to send to).
 */
export async function renderTemplateEmail(ctx: TenantContext, input: TemplateRenderInput): Promise<RenderedTemplateEmail | undefined> {
  if (!input.user.email) return undefined;
  const stored = tenantTemplate(ctx, input.template);
  const fallback = DEFAULT_TEMPLATES[input.template] ?? { subject: input.template, body: '' };
  const useStored = stored !== undefined && stored.enabled;
  const subjectSource = useStored && stored.subject ? stored.subject : fallback.subject;
  const bodySource = useStored && stored.body ? stored.body : fallback.body;
  const tenant = ctx.store.data.tenant;
  const friendlyName = typeof tenant['friendly_name'] === 'string' ? tenant['friendly_name'] : 'Local tenant';
  const variables: JsonObject = {
    url: input.url ?? '',
    user: {
      user_id: input.user.user_id,
      email: input.user.email,
      username: input.user.username ?? null,
      name: input.user.name ?? null,
      nickname: input.user.nickname ?? null,
      email_verified: input.user.email_verified,
      app_metadata: input.user.app_metadata,
      user_metadata: input.user.user_metadata,
    },
    application: {
      name: input.client?.name ?? '',
      client_id: input.client?.client_id ?? '',
      client_metadata: (input.client?.['client_metadata'] as JsonObject | undefined) ?? {},
    },
    connection: { name: input.connection?.name ?? input.user.connection },
    request_language: input.requestLanguage ?? '',
    tenant: 'local',
    friendly_name: friendlyName,
    support_email: typeof tenant['support_email'] === 'string' ? tenant['support_email'] : '',
    support_url: typeof tenant['support_url'] === 'string' ? tenant['support_url'] : '',
  };
  const provider = ctx.store.data.email_provider;
  // An empty `from` falls back to the email provider's default address, as in Auth0.
  const from = (useStored && stored.from) || (provider?.default_from_address ?? '') || 'no-reply@localhost';
  return {
    template: input.template,
    to: input.user.email,
    from: await textEngine.parseAndRender(from, variables),
    subject: (await textEngine.parseAndRender(subjectSource, variables)).trim(),
    html: await htmlEngine.parseAndRender(bodySource, variables),
    user_id: input.user.user_id,
  };
}
