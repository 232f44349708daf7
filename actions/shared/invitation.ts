import type { EmailBudget } from './email-budget';
import { createPasswordChangeTicket } from './management-api';
import { fail, succeed, type Outcome } from './outcome';
import { sendTemplateEmail, type SendGridOptions } from './sendgrid-mail';

/**
 * The invitation link: the ticket URL with `type=invite` (and `app=<name>`) in its fragment,
 * which Auth0's password-reset page hands to the page's script and never to the server.
 * Nothing before the `#` may change, or Auth0 rejects the ticket. Auth0 returns ticket URLs
 * that already end with `#`.
 */
export function invitationLink(ticketUrl: string, appName?: string): string {
  const params = `type=invite${appName !== undefined && appName !== '' ? `&app=${encodeURIComponent(appName)}` : ''}`;
  const hash = ticketUrl.indexOf('#');
  if (hash === -1) return `${ticketUrl}#${params}`;
  return `${ticketUrl}${hash === ticketUrl.length - 1 ? '' : '&'}${params}`;
}

export interface TicketInvitation {
  domain: string;
  token: string;
  user: { userId: string; email: string; username?: string };
  ticket: { clientId?: string; resultUrl?: string; ttlSec: number };
  appName?: string;
  locale: string;
  templateId: string;
  /** Extra SendGrid analytics categories. */
  categories?: string[];
  /** SendGrid custom_args, e.g. the user id (never personal data). */
  customArgs?: Record<string, string>;
  /** The fetch for the Management API call (see ClientOptions.fetch). */
  fetch?: typeof fetch;
}

/**
 * Invites by a password-change ticket for the user id (works on every database connection,
 * also those with non-unique emails) sent with SendGrid. The ticket marks the email verified:
 * setting the password proves the user reads that inbox.
 */
export async function sendTicketInvitation(
  invitation: TicketInvitation,
  mail: SendGridOptions,
  budget: EmailBudget,
): Promise<Outcome<{ ticketUrl: string; messageId?: string }>> {
  const ticket = await createPasswordChangeTicket(
    { domain: invitation.domain, token: invitation.token, budget, ...(invitation.fetch !== undefined ? { fetch: invitation.fetch } : {}) },
    { userId: invitation.user.userId, ...invitation.ticket, markEmailAsVerified: true },
  );
  if (!ticket.ok) return ticket;
  const ticketUrl = invitationLink(ticket.value, invitation.appName);
  const expiresAt = new Date(Date.now() + invitation.ticket.ttlSec * 1000).toISOString();
  const sent = await sendTemplateEmail(
    mail,
    {
      to: invitation.user.email,
      templateId: invitation.templateId,
      data: {
        ticket_url: ticketUrl,
        username: invitation.user.username ?? invitation.user.email,
        email: invitation.user.email,
        expires_at: expiresAt,
        app_name: invitation.appName ?? '',
        locale: invitation.locale,
      },
      categories: ['invitation', ...(invitation.categories ?? [])],
      ...(invitation.customArgs !== undefined ? { customArgs: invitation.customArgs } : {}),
    },
    budget,
  );
  return sent.ok ? succeed({ ticketUrl, messageId: sent.value.messageId }) : fail(sent.reason);
}
