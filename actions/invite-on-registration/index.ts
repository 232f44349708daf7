import { actionLog, settingsFor } from '../shared/action-log';
import type { PostUserRegistrationHandler } from '../shared/auth0-actions';
import { requestChangePasswordEmail } from '../shared/change-password-email';
import { EmailBudget } from '../shared/email-budget';
import { sendTicketInvitation } from '../shared/invitation';
import { emailLocale, templateIdFor } from '../shared/locale';
import { updateAppMetadata } from '../shared/management-api';
import { managementToken } from '../shared/management-token';
import type { Outcome } from '../shared/outcome';
import { readInviteSettings } from '../shared/settings';
import { manifest } from './manifest';
import { planInvitation } from './plan';

/**
 * post-user-registration: invites the users administrators create. Non-blocking in Auth0 (the
 * signup never waits on it), and it never throws: a failed invitation is logged by user id and
 * reason, and an administrator resends it (`npm run resend`).
 */
export const onExecutePostUserRegistration: PostUserRegistrationHandler = async (event, api) => {
  const log = actionLog(manifest.name, event.user?.user_id);
  try {
    const settings = readInviteSettings(event.secrets ?? {});
    const plan = planInvitation(event, settings);
    if (!plan.invite) {
      if (plan.reason !== 'not_invited') log('not_invited', plan.reason);
      return;
    }
    for (const problem of settings.problems) log('setting_ignored', problem);
    const budget = new EmailBudget();
    const user = { userId: event.user.user_id, email: plan.email, username: event.user.username };
    let outcome: Outcome<unknown>;

    if (plan.mode === 'ticket') {
      const ready = settingsFor(log, 'invite_ticket', {
        management: settings.management,
        ticket: settings.ticket,
        mail: settings.mail,
      });
      if (ready === undefined) return;
      const token = await managementToken(ready.management, api.cache, budget);
      if (!token.ok) return log('invite_failed', token.reason);
      const locale = emailLocale(event.user.user_metadata, event.transaction, event.request);
      const { templateId, ...ticket } = ready.ticket;
      outcome = await sendTicketInvitation(
        {
          domain: ready.management.domain,
          token: token.value,
          user,
          ticket,
          appName: ticket.appName,
          locale,
          templateId: templateIdFor('invite', locale, templateId, settings.templates),
        },
        ready.mail,
        budget,
      );
    } else {
      const ready = settingsFor(log, 'invite_change_password', {
        changePassword: settings.changePassword,
        ...(plan.needsInviteFlag ? { management: settings.management } : {}),
      });
      if (ready === undefined) return;
      if (plan.needsInviteFlag && settings.management.ok) {
        // Set the flag before Auth0 renders the email, or the user gets a "reset your password" mail.
        const token = await managementToken(settings.management.value, api.cache, budget);
        if (!token.ok) return log('invite_failed', token.reason);
        const flagged = await updateAppMetadata({ domain: settings.management.value.domain, token: token.value, budget }, user.userId, {
          invite: true,
        });
        if (!flagged.ok) return log('invite_failed', flagged.reason);
      }
      outcome = await requestChangePasswordEmail({ ...ready.changePassword, email: plan.email, connection: plan.connection }, budget);
    }
    log(outcome.ok ? 'invited' : 'invite_failed', outcome.ok ? `mode=${plan.mode}` : outcome.reason);
  } catch {
    // Deliberately silent about the error's text: it may quote the address or a token.
    log('invite_failed', 'unexpected_error');
  }
};
