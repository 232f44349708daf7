import { actionLog, settingsFor } from '../shared/action-log';
import type { PostLoginApi, PostLoginEvent, PostLoginHandler } from '../shared/auth0-actions';
import { EmailBudget } from '../shared/email-budget';
import { claimEmail, releaseEmail } from '../shared/email-claim';
import { awaitsAcceptance, INVITATION_RECORD, invitationRecordOf } from '../shared/invitation-record';
import { emailLocale, templateIdFor } from '../shared/locale';
import { managementToken } from '../shared/management-token';
import type { Outcome } from '../shared/outcome';
import { sendTemplateEmail, type TemplateEmail } from '../shared/sendgrid-mail';
import type { MailSettings } from '../shared/settings';
import { readVerifyWelcomeSettings, type VerifyWelcomeSettings } from './settings';
import { sendVerificationEmail } from '../shared/verification-email';
import { manifest } from './manifest';
import { loginNeedsNothing, planLoginEmail } from './plan';

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
  const log = actionLog(manifest.name, event.user?.user_id);
  let claimed: 'verification' | 'welcome' | undefined;
  try {
    const settings = readVerifyWelcomeSettings(event.secrets ?? {});
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

function emailData(event: PostLoginEvent, email: string) {
  return {
    username: event.user.username ?? email,
    email,
    locale: emailLocale(event.user.user_metadata, event.transaction, event.request),
    app_name: event.client?.name ?? '',
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
  // Each application may send its users back to its own page after verification.
  const clientResultUrl = event.client?.metadata?.verify_result_url;
  const data = emailData(event, email);
  const sent = await sendVerificationEmail(
    {
      domain: ready.management.domain,
      token: token.value,
      user: { userId: event.user.user_id, email, ...(event.user.username !== undefined ? { username: event.user.username } : {}) },
      ticket: {
        resultUrl: typeof clientResultUrl === 'string' && clientResultUrl !== '' ? clientResultUrl : ready.verify.resultUrl,
        ttlSec: ready.verify.ttlSec,
      },
      locale: data.locale,
      appName: data.app_name,
      templateId: templateIdFor('verify', data.locale, ready.verify.templateId, settings.templates),
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
  const data = emailData(event, email);
  const templateId = templateIdFor('welcome', data.locale, ready.welcome.templateId, settings.templates);
  return sendAndRecord(api, log, 'welcome', ready.mail, { to: email, templateId, data, categories: ['welcome'] }, new EmailBudget());
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
