import { EmailBudget } from './email-budget';
import { createPasswordChangeTicket, updateAppMetadata, type ClientOptions, type TicketEmail, type TicketReturn } from './management-api';
import { fail, succeed, type Outcome } from './outcome';
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
): Promise<Outcome<{ ticketUrl: string; messageId: string | undefined; record: InvitationRecord }>> {
  const ticket = await createPasswordChangeTicket(
    { domain: invitation.domain, token: invitation.token, budget, fetch: invitation.fetch },
    { userId: invitation.user.userId, ...invitation.ticket, markEmailAsVerified: true },
  );
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

/** Time for one attempt at the record, so that a hung request leaves room for the next. */
const RECORD_ATTEMPT_MS = 2_000;

/** Pauses before the second and third attempts: a bulk invitation keeps the tenant's rate limit busy, and a 429 clears within a second or two. */
const RECORD_BACKOFF_MS = [500, 1_500];

/** Failures worth another attempt: Auth0's rate limit, its 5xx, a lost or cut-short answer. A 4xx other than 429 is final. */
function retryable(reason: string): boolean {
  return !/_http_4\d\d$/.test(reason) || reason.endsWith('_http_429');
}

/**
 * Sets `app_metadata.invitation_email_sent: true` and the invitation's record. The PATCH is idempotent, so a failed attempt
 * is tried again, up to three attempts within the record's budget (a token request for it
 * included): a record lost after the email went out would make the bulk invitation send that
 * email again.
 */
export async function recordInvitationSent(options: ClientOptions, userId: string, record: InvitationRecord): Promise<Outcome<void>> {
  const deadline = Date.now() + options.budget.remainingMs();
  let outcome: Outcome<void> = fail('user_update_timeout');
  for (let attempt = 0; attempt <= RECORD_BACKOFF_MS.length; attempt++) {
    if (attempt > 0) {
      const pause = RECORD_BACKOFF_MS[attempt - 1] ?? 0;
      if (Date.now() + pause >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    const budget = new EmailBudget(Math.min(RECORD_ATTEMPT_MS, Math.max(0, deadline - Date.now())));
    outcome = await updateAppMetadata({ ...options, budget }, userId, invitationSentMetadata(record));
    if (outcome.ok || !retryable(outcome.reason)) return outcome;
  }
  return outcome;
}
