import { renderAuth0Template } from '../../email-templates/engines';
import type { TenantContext } from '../context';
import type { ClientRecord, ConnectionRecord, EmailTemplateRecord, JsonObject, UserRecord } from '../state/types';

/** Minimal stand-ins for Auth0's built-in templates, used when the tenant has none. */
const DEFAULT_TEMPLATES: Record<string, { subject: string; body: string }> = {
  reset_email: {
    subject: 'Reset your password',
    body: '<p>Hello {{ user.email | escape }},</p><p>Click here to change your password: <a href="{{ url }}">{{ url }}</a></p>',
  },
  verify_email: {
    subject: 'Verify your email',
    body: '<p>Hello {{ user.email | escape }},</p><p>Please verify your email: <a href="{{ url }}">{{ url }}</a></p>',
  },
  welcome_email: { subject: 'Welcome to {{ friendly_name }}', body: '<p>Welcome {{ user.email | escape }}!</p>' },
};

interface TemplateRenderInput {
  template: string;
  user: UserRecord;
  url?: string | undefined;
  client?: ClientRecord | undefined;
  connection?: ConnectionRecord | undefined;
  requestLanguage?: string | undefined;
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
export function tenantTemplate(ctx: Pick<TenantContext, 'store'>, name: string): EmailTemplateRecord | undefined {
  return ctx.store.data.email_templates.find((t) => t.template === name);
}

/** The tenant settings Auth0 exposes to its email templates. */
interface TemplateTenantSettings {
  /** The tenant name (`tenant`). */
  name: string;
  friendly_name: string;
  support_email: string;
  support_url: string;
}

interface TemplateVariablesInput {
  user: Pick<
    UserRecord,
    'user_id' | 'connection' | 'email' | 'username' | 'name' | 'nickname' | 'email_verified' | 'app_metadata' | 'user_metadata'
  >;
  url?: string | undefined;
  client?: (Pick<ClientRecord, 'client_id' | 'name'> & { client_metadata?: JsonObject }) | undefined;
  connection?: Pick<ConnectionRecord, 'name'> | undefined;
  requestLanguage?: string | undefined;
  tenant: TemplateTenantSettings;
}

/** The Liquid variables Auth0 gives an email template (`url`, `user`, `application`, ...). */
export function templateVariables(input: TemplateVariablesInput): JsonObject {
  return {
    url: input.url ?? '',
    user: {
      user_id: input.user.user_id,
      email: input.user.email ?? null,
      username: input.user.username ?? null,
      name: input.user.name ?? null,
      nickname: input.user.nickname ?? null,
      email_verified: input.user.email_verified,
      app_metadata: input.user.app_metadata,
      user_metadata: input.user.user_metadata,
    },
    // docs-v2 customize/email/email-templates.mdx, "Common variables": application.name,
    // application.clientID, application.metadata; client_metadata as build/email-samples.ts has it.
    application: {
      name: input.client?.name ?? '',
      clientID: input.client?.client_id ?? '',
      metadata: input.client?.client_metadata ?? {},
      client_metadata: input.client?.client_metadata ?? {},
    },
    connection: { name: input.connection?.name ?? input.user.connection },
    request_language: input.requestLanguage ?? '',
    tenant: input.tenant.name,
    friendly_name: input.tenant.friendly_name,
    support_email: input.tenant.support_email,
    support_url: input.tenant.support_url,
  };
}

/**
 * Render an Auth0 email template with Auth0's Liquid variables. Returns undefined when the
 * user has no email (nothing to send to). A template with a tag or filter Auth0 does not
 * support throws an Auth0TemplateError, as the deploy's check and the previews do.
 */
export async function renderTemplateEmail(
  ctx: Pick<TenantContext, 'store'>,
  input: TemplateRenderInput,
): Promise<RenderedTemplateEmail | undefined> {
  if (!input.user.email) return undefined;
  const stored = tenantTemplate(ctx, input.template);
  const fallback = DEFAULT_TEMPLATES[input.template] ?? { subject: input.template, body: '' };
  const useStored = stored !== undefined && stored.enabled;
  const tenant = ctx.store.data.tenant;
  const setting = (key: string, fallback = ''): string => (typeof tenant[key] === 'string' ? tenant[key] : fallback);
  const variables = templateVariables({
    user: input.user,
    url: input.url,
    ...(input.client
      ? { client: { ...input.client, client_metadata: (input.client['client_metadata'] as JsonObject | undefined) ?? {} } }
      : {}),
    connection: input.connection,
    requestLanguage: input.requestLanguage,
    tenant: {
      name: 'local',
      friendly_name: setting('friendly_name', 'Local tenant'),
      support_email: setting('support_email'),
      support_url: setting('support_url'),
    },
  });
  const provider = ctx.store.data.email_provider;
  // An empty `from` falls back to the email provider's default address, as in Auth0.
  const from = (useStored && stored.from) || (provider?.default_from_address ?? '') || 'no-reply@localhost';
  const rendered = await renderAuth0Template(
    {
      from,
      subject: useStored && stored.subject ? stored.subject : fallback.subject,
      body: useStored && stored.body ? stored.body : fallback.body,
    },
    variables,
  );
  return { template: input.template, to: input.user.email, ...rendered, user_id: input.user.user_id };
}
