import type { TenantContext } from '../context';
import type { EmailNotification } from '../../actions/shared/auth0-actions';
import type { CustomEmailOutcome, TriggerRequestInfo } from '../state/hooks';
import type { ClientRecord, ConnectionRecord, UserRecord } from '../state/types';
import type { RenderedTemplateEmail } from './template-emails';

/**
 * How the tenant delivers one of Auth0's own emails once its template is rendered. With an
 * email provider integration (SendGrid, ...) Auth0 hands the email to the provider: locally it
 * goes straight into the outbox. With the custom email provider (`name: "custom"`) Auth0 runs
 * the Action bound to custom-email-provider with the rendered email as `event.notification`;
 * the Action's own SendGrid call then puts it in the outbox, through the SendGrid stand-in.
 */

interface TenantEmailContext {
  user: UserRecord;
  connection?: ConnectionRecord;
  client?: ClientRecord;
  /** The request that made Auth0 send the email (change_password, the reset page, ...). */
  request?: TriggerRequestInfo;
}

export type TenantEmailOutcome = { via: 'provider' } | ({ via: 'custom-email-provider' } & CustomEmailOutcome);

/** Auth0's template names to the message types custom-email-provider sees (legacy names are reset emails). */
const MESSAGE_TYPES: Record<string, string> = { change_password: 'reset_email', password_reset: 'reset_email' };

function messageTypeOf(template: string): string {
  return MESSAGE_TYPES[template] ?? template;
}

function usesCustomProvider(ctx: TenantContext): boolean {
  const provider = ctx.store.data.email_provider;
  return provider?.name === 'custom' && provider.enabled !== false;
}

export async function deliverTenantEmail(
  ctx: TenantContext,
  email: RenderedTemplateEmail,
  context: TenantEmailContext,
): Promise<TenantEmailOutcome> {
  if (!usesCustomProvider(ctx)) {
    ctx.store.outbox.deliverTemplateEmail(email);
    return { via: 'provider' };
  }
  const notification: EmailNotification = {
    to: email.to,
    from: email.from,
    subject: email.subject,
    html: email.html,
    text: htmlToText(email.html),
    locale: emailLocale(ctx, context),
    message_type: messageTypeOf(email.template),
  };
  const run = ctx.hooks.onCustomEmail;
  if (run === undefined) {
    // No Actions runtime (a bare local tenant): nothing could deliver it, as in Auth0 without the Action.
    console.warn(`[local-tenant] ${notification.message_type} not delivered: the custom email provider needs the Actions runtime`);
    return { via: 'custom-email-provider', status: 'failed', attempts: 0, reason: 'no Actions runtime' };
  }
  const outcome = await run({
    notification,
    user: context.user,
    connection: context.connection,
    client: context.client,
    request: context.request,
  });
  return { via: 'custom-email-provider', ...outcome };
}

/**
 * The language the email was rendered in: the user's `user_metadata.locale`, else the
 * browser's first language, else the tenant's first enabled locale.
 */
function emailLocale(ctx: TenantContext, context: TenantEmailContext): string {
  const own = context.user.user_metadata['locale'];
  if (typeof own === 'string' && own !== '') return own;
  const browser = context.request?.language?.split(',')[0]?.split(';')[0]?.trim();
  if (browser !== undefined && browser !== '') return browser;
  const enabled = ctx.store.data.tenant['enabled_locales'];
  return Array.isArray(enabled) && typeof enabled[0] === 'string' ? enabled[0] : 'en';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", nbsp: ' ' };

/**
 * The plain-text part Auth0 derives from an HTML template: block ends become line breaks, a
 * link keeps its address (`text (url)`), tags and comments go, whitespace is tidied.
 */
function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, label: string) => {
      const text = label.replace(/<[^>]+>/g, '').trim();
      return text === '' || text === href ? href : `${text} (${href})`;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|#x27|nbsp);/g, (_m, name: string) => ENTITIES[name] ?? '')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line, i, lines) => line !== '' || (i > 0 && lines[i - 1] !== ''))
    .join('\n')
    .trim();
}
