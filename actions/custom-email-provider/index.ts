import { actionLog, type ActionLog } from '../shared/action-log';
import type { CustomEmailProviderApi, CustomEmailProviderHandler } from '../shared/auth0-actions';
import { EmailBudget } from '../shared/email-budget';
import { sendContentEmail } from '../shared/sendgrid-mail';
import { readCustomEmailSettings } from './settings';
import { actionName } from './manifest';
import { failureDisposition, messageTypeLabel, planDelivery, senderFor } from './plan';

/**
 * Time for one delivery. Auth0 gives the execution 20 s and retries a failed email itself, so
 * a slow SendGrid is given up on (and retried by Auth0) well before the execution is killed.
 */
export const CUSTOM_EMAIL_BUDGET_MS = 10_000;

/**
 * custom-email-provider: delivers every email Auth0 sends (its rendered subject, HTML and
 * text) through SendGrid. Password-reset emails go to the user's verified secondary address
 * when there is one (EMAIL_ROUTES). A failure that may heal (429, 5xx, timeout) asks Auth0 to
 * retry; one that will not (other 4xx, missing settings, nothing to send) drops the email.
 * It never throws, and never logs an address or a token.
 */
export const onExecuteCustomEmailProvider: CustomEmailProviderHandler = async (event, api) => {
  const log = actionLog(actionName, event.user?.user_id);
  const type = messageTypeLabel(event.notification?.message_type);
  try {
    const settings = readCustomEmailSettings(event.secrets ?? {});
    for (const problem of settings.problems) log.note('setting_ignored', problem);
    const plan = planDelivery(event.notification, event.user, settings.routes);
    if (!plan.send) return giveUp(api, log, 'drop', type, plan.reason);
    if (!settings.sendgrid.ok) return giveUp(api, log, 'drop', type, `missing_secret=${settings.sendgrid.missing.join(',')}`);
    const from = senderFor(event.notification.from, settings.fallbackFrom);
    if (from === undefined) return giveUp(api, log, 'drop', type, 'no_sender');

    const userId = event.user?.user_id;
    const sent = await sendContentEmail(
      { apiKey: settings.sendgrid.value.apiKey, from },
      {
        to: plan.to,
        from,
        subject: event.notification.subject,
        html: event.notification.html,
        text: event.notification.text,
        categories: plan.route.categories,
        // Identifiers only, to find the message in SendGrid's activity and event webhooks.
        customArgs: { message_type: type, ...(typeof userId === 'string' && userId !== '' ? { user_id: userId } : {}) },
        sandbox: plan.route.sandbox,
      },
      new EmailBudget(CUSTOM_EMAIL_BUDGET_MS),
    );
    if (!sent.ok) return giveUp(api, log, failureDisposition(sent.reason), type, sent.reason);
    log(
      'sent',
      `type=${type} to=${plan.recipient}${plan.fallback !== undefined ? ` ${plan.fallback}` : ''}${plan.route.sandbox ? ' sandbox' : ''}`,
    );
  } catch {
    // The error text may quote an address or a token: log the fact only. Auth0 tries again.
    giveUp(api, log, 'retry', type, 'unexpected_error');
  }
};

/** Tells Auth0 to retry or drop this email, with a reason code that is safe to log. */
function giveUp(api: CustomEmailProviderApi, log: ActionLog, disposition: 'retry' | 'drop', type: string, reason: string): void {
  log(disposition === 'retry' ? 'retry' : 'dropped', `type=${type} reason=${reason}`);
  try {
    if (disposition === 'retry') api.notification.retry(reason);
    else api.notification.drop(reason);
  } catch {
    // A broken api object must not make the handler throw.
  }
}
