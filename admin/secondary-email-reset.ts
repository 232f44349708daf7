import { EmailBudget } from '../actions/shared/email-budget';
import { languageTag } from '../actions/shared/locale';
import { createPasswordChangeTicket } from '../actions/shared/management-api';
import { sendTemplateEmail, type SendGridOptions } from '../actions/shared/sendgrid-mail';
import type { PasswordResetSettings } from './admin-config';
import { findOneUser, type UserQuery } from './find-user';
import { ADMIN_EMAIL_BUDGET_MS } from './invite-user';
import type { AdminManagement } from './management';
import { secondaryEmailOf } from './secondary-email';

/**
 * A password reset sent by support to a user's secondary address: Auth0's documented answer
 * for users whose login email is shared or unreachable. The user is found by username (the
 * only identifier on a connection with non-unique emails, where
 * `/dbconnections/change_password` cannot work), a password-change ticket is created for the
 * user id, and the link goes out with SendGrid, naming the account's username.
 *
 * The ticket does not mark the login email verified: the link went to another address.
 * The secondary address is used whether or not `secondary_email_verified` is true: support
 * decides here (the self-service reset of the custom-email-provider Action uses it only when
 * verified). The primary address is used only when asked (`toPrimary`) and only when there
 * is no secondary address.
 */
export class PasswordResetError extends Error {
  constructor(
    message: string,
    readonly reason: 'no_secondary_email' | 'no_email' | 'ticket_failed' | 'send_failed',
  ) {
    super(message);
    this.name = 'PasswordResetError';
  }
}

export interface PasswordResetRequest extends UserQuery {
  /** Send to the login email when the user has no secondary address. */
  toPrimary?: boolean | undefined;
}

export interface PasswordResetResult {
  userId: string;
  username?: string;
  connection?: string;
  recipient: 'secondary' | 'primary';
  secondaryVerified: boolean;
  expiresAt: string;
  messageId?: string;
}

export async function sendPasswordReset(
  management: AdminManagement,
  settings: { reset: PasswordResetSettings; mail: SendGridOptions },
  request: PasswordResetRequest,
): Promise<PasswordResetResult> {
  const user = await findOneUser(management, request);
  const account = user.username ?? user.user_id;
  const secondary = secondaryEmailOf(user);
  let to: string;
  let recipient: PasswordResetResult['recipient'];
  if (secondary !== undefined) {
    to = secondary.email;
    recipient = 'secondary';
  } else if (request.toPrimary === true) {
    if (user.email === undefined) throw new PasswordResetError(`Account ${account} (${user.user_id}) has no email at all.`, 'no_email');
    to = user.email;
    recipient = 'primary';
  } else {
    throw new PasswordResetError(
      `Account ${account} (${user.user_id}) has no secondary email. Set one with \`npm run set-secondary-email\`, ` +
        'or send the link to the login email with --to-primary.',
      'no_secondary_email',
    );
  }

  const budget = new EmailBudget(ADMIN_EMAIL_BUDGET_MS);
  const { reset } = settings;
  const ticket = await createPasswordChangeTicket(
    { domain: management.domain, token: await management.token(), budget, fetch: management.fetch },
    {
      userId: user.user_id,
      ...('clientId' in reset ? { clientId: reset.clientId } : { resultUrl: reset.resultUrl }),
      ttlSec: reset.ttlSec,
      // The link goes to another address than the login one: setting a password proves nothing about it.
      markEmailAsVerified: false,
    },
  );
  if (!ticket.ok) throw new PasswordResetError(`Auth0 did not create the password-change ticket (${ticket.reason}).`, 'ticket_failed');

  const expiresAt = new Date(Date.now() + reset.ttlSec * 1000).toISOString();
  const locale = languageTag(user.user_metadata.locale) ?? 'en';
  const sent = await sendTemplateEmail(
    settings.mail,
    {
      to,
      templateId: reset.templateId,
      data: {
        ticket_url: ticket.value,
        username: user.username ?? user.email ?? '',
        email: user.email ?? '',
        to_secondary: recipient === 'secondary',
        expires_at: expiresAt,
        app_name: reset.appName ?? '',
        locale,
      },
      categories: ['password-reset', 'admin-script'],
      customArgs: { user_id: user.user_id, action: 'admin-reset-password' },
    },
    budget,
  );
  if (!sent.ok) throw new PasswordResetError(`SendGrid did not accept the email (${sent.reason}).`, 'send_failed');
  return {
    userId: user.user_id,
    ...(user.username !== undefined ? { username: user.username } : {}),
    ...(user.connection !== undefined ? { connection: user.connection } : {}),
    recipient,
    secondaryVerified: secondary?.verified ?? false,
    expiresAt,
    ...(sent.value.messageId !== undefined ? { messageId: sent.value.messageId } : {}),
  };
}
