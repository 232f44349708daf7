import { actionLog, settingsFor } from '../shared/action-log';
import type { PostLoginApi, PostLoginEvent, PostLoginHandler } from '../shared/auth0-actions';
import { EmailBudget } from '../shared/email-budget';
import { claimEmail, releaseEmail } from '../shared/email-claim';
import { awaitsAcceptance, INVITATION_RECORD, invitationRecordOf } from '../shared/invitation-record';
import { managementToken } from '../shared/management-token';
import type { Outcome } from '../shared/outcome';
import { sendTemplateEmail, type TemplateEmail } from '../shared/sendgrid-mail';
import type { MailSettings } from '../shared/settings';
import { readVerifyWelcomeSettings, type VerifyWelcomeSettings } from './settings';
import { sendVerificationEmail } from '../shared/verification-email';
import { actionName } from './manifest';
import { chooseLoginEmail, loginNeedsNothing, planLoginEmail } from './plan';

type Log = ReturnType<typeof actionLog>;

/**
 * post-login: sends the verification email, and once the address is verified the welcome
 * email, each exactly once. It never denies or blocks a login: any failure is logged, sets
 * no flag, and the next login tries again. The common case (verified and welcomed) makes no
 * request, reads no secret and loads neither `auth0` nor `@sendgrid/mail`.
 */
export const onExecutePostLogin: PostLoginHandler = async (event, api) => {
  // Decided from event.user alone, before the secrets are read: a login that needs nothing
  // then costs about what an empty Action costs (bench/REPORT.md, fast path).
  if (loginNeedsNothing(event.user)) return;
  const log = actionLog(actionName, event.user?.user_id);
  let claimed: 'verification' | 'welcome' | undefined;
  try {
    // The application's client_metadata is read only here, on the sending path.
    const settings = readVerifyWelcomeSettings(event.secrets ?? {}, event.client?.metadata);
    const plan = planLoginEmail(event.user, settings.welcomeSince);
    if (plan.clearInvite) api.user.setAppMetadata('invite', null);
    acceptInvitation(event, api);
    if (plan.send === 'none' || plan.email === undefined) return;
    for (const problem of settings.problems) log.note('setting_ignored', problem);
    // Another login of this user is sending it right now (the flag is written when its trigger ends).
    if (!claimEmail(api.cache, plan.send, event.user.user_id)) return log(`${plan.send}_skipped`, 'in_flight');
    claimed = plan.send;
    const sent =
      plan.send === 'verification'
        ? await sendVerification(event, api, settings, plan.email, log)
        : await sendWelcome(event, api, settings, plan.email, log);
    if (sent) claimed = undefined;
  } catch {
    // The error text may quote an address or a token: log the fact only.
    log('email_failed', 'unexpected_error');
  } finally {
    // Not sent: the claim goes back, so the next login tries again.
    if (claimed !== undefined) releaseEmail(api.cache, claimed, event.user.user_id);
  }
};

/**
 * The first successful login after an invitation accepts it: `accepted` added to the record. Auth0
 * writes the change with the trigger's other metadata once the trigger ends (no Management API
 * call); a login of an account an administrator blocked never gets here (Auth0 refuses it first).
 */
function acceptInvitation(event: PostLoginEvent, api: PostLoginApi): void {
  if (!awaitsAcceptance(event.user.app_metadata)) return;
  api.user.setAppMetadata(INVITATION_RECORD, { ...invitationRecordOf(event.user.app_metadata), accepted: new Date().toISOString() });
}

/** The email's template, locale and landing page for the login's application, and its SendGrid data. */
function emailFor(
  event: PostLoginEvent,
  settings: VerifyWelcomeSettings,
  kind: 'verify' | 'welcome',
  email: string,
  defaults: { templateId: string; resultUrl?: string | undefined },
) {
  const choice = chooseLoginEmail(kind, { ...defaults, overrides: settings.templates }, settings.application, {
    userMetadata: event.user.user_metadata,
    transaction: event.transaction,
    request: event.request,
  });
  return {
    choice,
    data: { username: event.user.username ?? email, email, locale: choice.locale, app_name: event.client?.name ?? '' },
  };
}

async function sendVerification(
  event: PostLoginEvent,
  api: PostLoginApi,
  settings: VerifyWelcomeSettings,
  email: string,
  log: Log,
): Promise<boolean> {
  const ready = settingsFor(log, 'verification', {
    management: settings.management,
    verify: settings.verify,
    mail: settings.mail,
  });
  if (ready === undefined) return false;
  const budget = new EmailBudget();
  const token = await managementToken(ready.management, api.cache, budget);
  if (!token.ok) {
    log('verification_failed', token.reason);
    return false;
  }
  // Each application may word its own email and send its users back to its own page.
  const { choice, data } = emailFor(event, settings, 'verify', email, ready.verify);
  const sent = await sendVerificationEmail(
    {
      domain: ready.management.domain,
      token: token.value,
      user: { userId: event.user.user_id, email, ...(event.user.username !== undefined ? { username: event.user.username } : {}) },
      ticket: { resultUrl: choice.resultUrl, ttlSec: ready.verify.ttlSec },
      locale: data.locale,
      appName: data.app_name,
      templateId: choice.templateId,
    },
    ready.mail,
    budget,
  );
  return recordSent(api, log, 'verification', sent);
}

async function sendWelcome(
  event: PostLoginEvent,
  api: PostLoginApi,
  settings: VerifyWelcomeSettings,
  email: string,
  log: Log,
): Promise<boolean> {
  const ready = settingsFor(log, 'welcome', { welcome: settings.welcome, mail: settings.mail });
  if (ready === undefined) return false;
  const { choice, data } = emailFor(event, settings, 'welcome', email, ready.welcome);
  const message = { to: email, templateId: choice.templateId, data, categories: ['welcome'] };
  return sendAndRecord(api, log, 'welcome', ready.mail, message, new EmailBudget());
}

/** Sends one email and, only once SendGrid accepted it, records `<kind>_email_sent` and `<kind>_email_sent_at`. */
async function sendAndRecord(
  api: PostLoginApi,
  log: Log,
  kind: 'verification' | 'welcome',
  mail: MailSettings,
  message: TemplateEmail,
  budget: EmailBudget,
): Promise<boolean> {
  return recordSent(api, log, kind, await sendTemplateEmail(mail, message, budget));
}

/** Records an accepted email in app_metadata; says whether it was sent. */
function recordSent(api: PostLoginApi, log: Log, kind: 'verification' | 'welcome', sent: Outcome<unknown>): boolean {
  if (!sent.ok) {
    log(`${kind}_failed`, sent.reason);
    return false;
  }
  api.user.setAppMetadata(`${kind}_email_sent`, true);
  api.user.setAppMetadata(`${kind}_email_sent_at`, new Date().toISOString());
  log(`${kind}_sent`);
  return true;
}
