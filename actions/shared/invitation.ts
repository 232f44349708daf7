import type { EmailBudget } from './email-budget';
import { createPasswordChangeTicket, updateAppMetadata, type ClientOptions, type TicketEmail, type TicketReturn } from './management-api';
import { fail, succeed, type Outcome } from './outcome';
import { retryWithinBudget, type RetryPolicy } from './retry-within-budget';
import { sendTemplateEmail, type SendGridOptions } from './sendgrid-mail';
import { invitationSentMetadata, sentInvitationRecord, type InvitationRecord } from './invitation-record';

export { INVITATION_SENT_FLAG } from './invitation-record';

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

interface TicketInvitation extends TicketEmail {
  ticket: TicketReturn & { ttlSec: number };
  appName?: string | undefined;
  /** Who invited (`app_metadata.invitation.by`), named in the email. */
  invitedBy?: string | undefined;
  /** Extra SendGrid analytics categories. */
  categories?: string[];
  /**
   * Ask for the ticket again after a 429 or a 5xx, within the budget (the Actions; the admin
   * scripts' fetch retries by itself).
   */
  retry?: RetryPolicy;
}

/**
 * The invitation Action's ticket attempts within its email budget: 2.5 s each, and one more
 * only while 1.5 s are left after the pause, for that attempt and the SendGrid send.
 */
export const TICKET_RETRIES: RetryPolicy = { attemptMs: 2_500, reserveMs: 1_500 };

/**
 * Invites by a password-change ticket for the user id (works on every database connection,
 * also those with non-unique emails) sent with SendGrid. The ticket marks the email verified:
 * setting the password proves the user reads that inbox.
 */
export async function sendTicketInvitation(
  invitation: TicketInvitation,
  mail: SendGridOptions,
  budget: EmailBudget,
): Promise<Outcome<{ ticketUrl: string; messageId: string | undefined; record: InvitationRecord }>> {
  const request = (attempt: EmailBudget) =>
    createPasswordChangeTicket(
      { domain: invitation.domain, token: invitation.token, budget: attempt, fetch: invitation.fetch },
      { userId: invitation.user.userId, ...invitation.ticket, markEmailAsVerified: true },
    );
  const ticket = invitation.retry !== undefined ? await retryWithinBudget(budget, invitation.retry, request) : await request(budget);
  if (!ticket.ok) return ticket;
  const ticketUrl = invitationLink(ticket.value, invitation.appName);
  // The record's expiry is the one the email states.
  const record = sentInvitationRecord('ticket', invitation.ticket.ttlSec, invitation.invitedBy);
  const expiresAt = record.expires!;
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
        invited_by: invitation.invitedBy ?? '',
        locale: invitation.locale,
      },
      categories: ['invitation', ...(invitation.categories ?? [])],
      customArgs: invitation.customArgs,
    },
    budget,
  );
  return sent.ok ? succeed({ ticketUrl, messageId: sent.value.messageId, record }) : fail(sent.reason);
}

/**
 * `app_metadata.invited_by: 'admin-script'`: the script that creates the user sends its invitation
 * (`npm run invite -- --direct`), so the invitation Action leaves it alone.
 */
export const INVITED_BY = 'invited_by';
export const INVITED_BY_SCRIPT = 'admin-script';

/**
 * The record's own time, after the email's. Post-user-registration holds no login, and Auth0
 * allows a trigger 20 s: 5 s of email work and 6 s of record leave room for other Actions.
 */
export const INVITATION_RECORD_BUDGET_MS = 6_000;

/**
 * The record's attempts: 2 s each, so that a hung request leaves room for the next, and one
 * more only while 300 ms are left for it after the pause. A 429 whose wait does not fit is
 * asked again all the same: the email went out, and a lost record sends it twice.
 */
const RECORD_RETRIES: RetryPolicy = { attemptMs: 2_000, reserveMs: 300, persist: true };

/**
 * Sets `app_metadata.invitation_email_sent: true` and the invitation's record. The PATCH is
 * idempotent, so a failed attempt is tried again while the record's budget lasts, a 429 after
 * its `Retry-After`: a record lost after the email went out would make the bulk invitation send
 * that email again.
 */
export function recordInvitationSent(options: ClientOptions, userId: string, record: InvitationRecord): Promise<Outcome<void>> {
  return retryWithinBudget(options.budget, RECORD_RETRIES, (budget) =>
    updateAppMetadata({ ...options, budget }, userId, invitationSentMetadata(record)),
  );
}
