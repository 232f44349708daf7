import type { EmailBudget } from './email-budget';
import { createEmailVerificationTicket } from './management-api';
import { fail, succeed, type Outcome } from './outcome';
import { sendTemplateEmail, type SendGridOptions } from './sendgrid-mail';

interface VerificationEmail {
  domain: string;
  token: string;
  user: { userId: string; email: string; username?: string | undefined };
  ticket: { resultUrl?: string | undefined; ttlSec: number };
  locale: string;
  appName: string;
  templateId: string;
  customArgs?: Record<string, string> | undefined;
  /** The fetch for the Management API call (see ClientOptions.fetch). */
  fetch?: typeof fetch | undefined;
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
