import type { EmailBudget } from './email-budget';
import { createEmailVerificationTicket, type TicketEmail } from './management-api';
import { fail, succeed, type Outcome } from './outcome';
import { sendTemplateEmail, type SendGridOptions } from './sendgrid-mail';

interface VerificationEmail extends TicketEmail {
  ticket: { resultUrl?: string | undefined; ttlSec: number };
  appName: string;
}

/**
 * The verification email: an email-verification ticket for the user id, sent with SendGrid
 * (data `verify_url`, `username`, `email`, `locale`, `app_name`). Sent by verify-and-welcome on
 * login and by `npm run resend -- --verification`.
 */
export async function sendVerificationEmail(
  email: VerificationEmail,
  mail: SendGridOptions,
  budget: EmailBudget,
): Promise<Outcome<{ messageId: string | undefined }>> {
  const ticket = await createEmailVerificationTicket(
    { domain: email.domain, token: email.token, budget, fetch: email.fetch },
    { userId: email.user.userId, resultUrl: email.ticket.resultUrl, ttlSec: email.ticket.ttlSec },
  );
  if (!ticket.ok) return ticket;
  const sent = await sendTemplateEmail(
    mail,
    {
      to: email.user.email,
      templateId: email.templateId,
      data: {
        verify_url: ticket.value,
        username: email.user.username ?? email.user.email,
        email: email.user.email,
        locale: email.locale,
        app_name: email.appName,
      },
      categories: ['verification'],
      customArgs: email.customArgs,
    },
    budget,
  );
  return sent.ok ? succeed(sent.value) : fail(sent.reason);
}
