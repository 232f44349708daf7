import { EmailBudget } from './email-budget';
import { createPasswordChangeTicket, updateAppMetadata, type ClientOptions } from './management-api';
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

/**
 * `app_metadata.invited_by: 'admin-script'`: the script that creates the user sends its invitation
 * (`npm run invite -- --direct`), so the invitation Action leaves it alone.
 */
export const INVITED_BY = 'invited_by';
export const INVITED_BY_SCRIPT = 'admin-script';

/**
 * The app_metadata key the invitation Action sets once the invitation was accepted for delivery
 * (SendGrid's 202, or Auth0's 200 to change_password). `npm run invite` reads it to tell a
 * delivered invitation from one the Action failed to send: post-user-registration is
 * non-blocking, so the user's creation says nothing of it.
 */
export const INVITATION_SENT_FLAG = 'invitation_email_sent';

/** The record's own time, after the email's: post-user-registration holds no login, and Auth0 allows a trigger 20 s. */
export const INVITATION_RECORD_BUDGET_MS = 3_000;

/** Failures worth a second attempt: Auth0's rate limit, its 5xx, a lost or cut-short answer. A 4xx other than 429 is final. */
function retryable(reason: string): boolean {
  return !/_http_4\d\d$/.test(reason) || reason.endsWith('_http_429');
}

/**
 * Sets `app_metadata.invitation_email_sent: true`. The PATCH is idempotent, so a failed attempt
 * is tried once more: a record lost after the email went out would make the bulk invitation
 * send it again. The first attempt gets half the record's time, so a hung request leaves room.
 */
export async function recordInvitationSent(options: Omit<ClientOptions, 'budget'>, userId: string): Promise<Outcome<void>> {
  const deadline = Date.now() + INVITATION_RECORD_BUDGET_MS;
  const first = await updateAppMetadata({ ...options, budget: new EmailBudget(INVITATION_RECORD_BUDGET_MS / 2) }, userId, {
    [INVITATION_SENT_FLAG]: true,
  });
  if (first.ok || !retryable(first.reason)) return first;
  return updateAppMetadata({ ...options, budget: new EmailBudget(Math.max(0, deadline - Date.now())) }, userId, {
    [INVITATION_SENT_FLAG]: true,
  });
}
