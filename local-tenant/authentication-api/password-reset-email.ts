import type { TenantContext } from '../context';
import type { TriggerRequestInfo } from '../state/hooks';
import { createTicket, ticketUrl } from '../state/tickets';
import type { ClientRecord, ConnectionRecord, UserRecord } from '../state/types';
import { deliverTenantEmail, type TenantEmailOutcome } from './email-delivery';
import { renderTemplateEmail, tenantTemplate } from './template-emails';

interface PasswordResetRequest {
  user: UserRecord;
  connection: ConnectionRecord;
  client?: ClientRecord;
  request?: TriggerRequestInfo;
}

/**
 * Auth0's Change Password email (`reset_email`) for one user: a password-change ticket with the
 * template's lifetime and the application, marked as coming from an emailed link (its use verifies
 * the email), rendered and delivered through the tenant's email provider. Undefined when the
 * user has no email.
 */
export async function sendPasswordResetEmail(ctx: TenantContext, input: PasswordResetRequest): Promise<TenantEmailOutcome | undefined> {
  const { user, connection, client } = input;
  if (!user.email) return undefined;
  const template = tenantTemplate(ctx, 'reset_email');
  const ticket = createTicket(ctx.store, {
    kind: 'password-change',
    user_id: user.user_id,
    ttl_sec: template?.urlLifetimeInSeconds ?? 0,
    from_emailed_link: true,
    // Universal Login ignores the template's Redirect To (resultUrl) and sends the person to the
    // application's default login route, or where a post-challenge Action says (docs-v2
    // customize/email/email-templates/customize-email-templates.mdx).
    ...(client ? { client_id: client.client_id } : {}),
  });
  const language = input.request?.language;
  const rendered = await renderTemplateEmail(ctx, {
    template: 'reset_email',
    user,
    connection,
    url: ticketUrl(ctx.urls.publicUrl, ticket),
    ...(client ? { client } : {}),
    ...(language ? { requestLanguage: language.split(',')[0] ?? language } : {}),
  });
  if (rendered === undefined) return undefined;
  return deliverTenantEmail(ctx, rendered, {
    user,
    connection,
    ...(client ? { client } : {}),
    ...(input.request ? { request: input.request } : {}),
  });
}
