import { actionLog, settingsFor } from '../shared/action-log';
import type { PostUserRegistrationHandler } from '../shared/auth0-actions';
import { requestChangePasswordEmail } from '../shared/change-password-email';
import { EmailBudget } from '../shared/email-budget';
import { INVITATION_RECORD_BUDGET_MS, recordInvitationSent, sendTicketInvitation, TICKET_RETRIES } from '../shared/invitation';
import { invitedByOf, sentInvitationRecord, type InvitationRecord } from '../shared/invitation-record';
import { updateAppMetadata } from '../shared/management-api';
import { managementToken } from '../shared/management-token';
import type { Outcome } from '../shared/outcome';
import { applicationForInvitation } from './application';
import { CHANGE_PASSWORD_LINK_TTL_SEC, readInviteSettings } from './settings';
import { actionName } from './manifest';
import { chooseInvitationEmail, invitationApplication, planInvitation } from './plan';

/**
 * post-user-registration: invites the users administrators create. Non-blocking in Auth0 (the
 * signup never waits on it), and it never throws: a failed invitation is logged by user id and
 * reason, and an administrator resends it (`npm run resend`, or `npm run invite` run again). A
 * sent one is recorded in `app_metadata.invitation_email_sent`, which the bulk invitation reads.
 */
export const onExecutePostUserRegistration: PostUserRegistrationHandler = async (event, api) => {
  const log = actionLog(actionName, event.user?.user_id);
  // Set once the email was accepted: from then on the outcome is `invited`, recorded or not.
  let sentMode: string | undefined;
  try {
    const settings = readInviteSettings(event.secrets ?? {});
    const plan = planInvitation(event, settings);
    if (!plan.invite) {
      if (plan.reason !== 'not_invited') log('not_invited', plan.reason);
      return;
    }
    // The application the invitation is for (app_metadata.app); the default one when unset.
    const clientId = invitationApplication(event);
    for (const problem of settings.problems) log.note('setting_ignored', problem);
    const budget = new EmailBudget();
    const user = { userId: event.user.user_id, email: plan.email, username: event.user.username };
    // Set at creation (`npm run invite -- --invited-by`): named in the email, kept in the record.
    const invitedBy = invitedByOf(event.user.app_metadata);
    let record: InvitationRecord;
    // The Management API token, once one was needed: the record after the email reuses it.
    let token: string | undefined;
    let outcome: Outcome<unknown>;

    if (plan.mode === 'ticket') {
      const ready = settingsFor(log, 'invite_ticket', {
        management: settings.management,
        ticket: settings.ticket,
        mail: settings.mail,
      });
      if (ready === undefined) return;
      const got = await managementToken(ready.management, api.cache, budget);
      if (!got.ok) return log('invite_failed', got.reason);
      token = got.value;
      // Its own invitation template, name and locale from its client_metadata; the defaults when it cannot be read.
      const application =
        clientId === undefined
          ? undefined
          : await applicationForInvitation(api.cache, { domain: ready.management.domain, token, budget }, clientId, log);
      const choice = chooseInvitationEmail(event, ready.ticket, settings.templates, application);
      const sent = await sendTicketInvitation(
        {
          domain: ready.management.domain,
          token,
          user,
          ticket: { ...choice.ticket, ttlSec: ready.ticket.ttlSec },
          appName: choice.appName,
          invitedBy,
          locale: choice.locale,
          templateId: choice.templateId,
          // A bulk invitation shares the tenant's rate limit with this request: a 429 is asked again.
          retry: TICKET_RETRIES,
        },
        ready.mail,
        budget,
      );
      if (!sent.ok) return log('invite_failed', sent.reason);
      record = sent.value.record;
      outcome = sent;
    } else {
      const ready = settingsFor(log, 'invite_change_password', {
        changePassword: settings.changePassword,
        ...(plan.needsInviteFlag ? { management: settings.management } : {}),
      });
      if (ready === undefined) return;
      if (plan.needsInviteFlag && settings.management.ok) {
        // Set the flag before Auth0 renders the email, or the user gets a "reset your password" mail.
        const got = await managementToken(settings.management.value, api.cache, budget);
        if (!got.ok) return log('invite_failed', got.reason);
        token = got.value;
        const flagged = await updateAppMetadata({ domain: settings.management.value.domain, token, budget }, user.userId, {
          invite: true,
        });
        if (!flagged.ok) return log('invite_failed', flagged.reason);
      }
      // With the application's client_id, Auth0 renders reset_email with `application` set to it.
      const changePassword = { ...ready.changePassword, clientId: clientId ?? ready.changePassword.clientId };
      outcome = await requestChangePasswordEmail({ ...changePassword, email: plan.email, connection: plan.connection }, budget);
      // Auth0's email: its link lives as long as the reset template's urlLifetimeInSeconds.
      record = sentInvitationRecord('change_password', CHANGE_PASSWORD_LINK_TTL_SEC, invitedBy);
    }
    if (!outcome.ok) return log('invite_failed', outcome.reason);
    sentMode = plan.mode;

    // Only now, and only once the email was accepted: the record is what `npm run invite` trusts.
    // One outcome line, written after the record: Auth0 keeps 256 characters of output per
    // execution, and the email's and the record's budgets (5 + 6 s) end well inside its 20 s.
    let notRecorded: string | undefined;
    if (!settings.management.ok) notRecorded = `missing_secret=${settings.management.missing.join(',')}`;
    else {
      const recordBudget = new EmailBudget(INVITATION_RECORD_BUDGET_MS);
      const got =
        token === undefined
          ? await managementToken(settings.management.value, api.cache, recordBudget)
          : { ok: true as const, value: token };
      if (!got.ok) notRecorded = got.reason;
      else {
        const recorded = await recordInvitationSent(
          { domain: settings.management.value.domain, token: got.value, budget: recordBudget },
          user.userId,
          record,
        );
        if (!recorded.ok) notRecorded = recorded.reason;
      }
    }
    log('invited', `mode=${plan.mode}${notRecorded === undefined ? '' : ` not_recorded=${notRecorded}`}`);
  } catch {
    // Deliberately silent about the error's text: it may quote the address or a token.
    if (sentMode !== undefined) log('invited', `mode=${sentMode} not_recorded=unexpected_error`);
    else log('invite_failed', 'unexpected_error');
  }
};
