import { EmailBudget } from '../actions/shared/email-budget';
import { languageTag, templateIdFor } from '../actions/shared/locale';
import { updateAppMetadata } from '../actions/shared/management-api';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import type { TemplateOverrides } from '../actions/shared/settings';
import { sendVerificationEmail } from '../actions/shared/verification-email';
import { toFoundUser, type FoundUser } from './find-user';
import { ADMIN_EMAIL_BUDGET_MS, sendRecordedInvitation, type DirectInvitation } from './invite-user';
import { failureReason, type AdminManagement } from './management';

/**
 * Sending an invitation or a verification email again, to one user or to every user a search
 * query matches. Both go out from the script (ticket + SendGrid), the way the Actions send them,
 * so they work whatever the tenant's invitation mode, and on connections with non-unique emails.
 */
export type ResendKind = 'invitation' | 'verification';

/** Users created invited (`app_metadata.invite: true`, cleared at verification) who never logged in. */
export const PENDING_INVITATIONS_QUERY = 'app_metadata.invite:true AND logins_count:0';

export interface VerificationResend {
  templateId: string;
  ttlSec: number;
  resultUrl?: string;
  appName: string;
  mail: SendGridOptions;
  templates: TemplateOverrides;
}

export interface ResendSettings {
  invitation?: DirectInvitation;
  verification?: VerificationResend;
}

export interface ResendOptions {
  kind: ResendKind;
  /** Send even to a user who already logged in (invitation) or is verified (verification). */
  force?: boolean;
  dryRun?: boolean;
}

export interface ResendOutcome {
  userId: string;
  username?: string;
  connection?: string;
  status: 'sent' | 'would_send' | 'skipped' | 'failed';
  reason?: string;
}

export async function resendToUser(
  management: AdminManagement,
  settings: ResendSettings,
  user: FoundUser,
  options: ResendOptions,
): Promise<ResendOutcome> {
  const base = {
    userId: user.user_id,
    ...(user.username !== undefined ? { username: user.username } : {}),
    ...(user.connection !== undefined ? { connection: user.connection } : {}),
  };
  if (user.email === undefined) return { ...base, status: 'skipped', reason: 'no_email' };
  if (options.kind === 'invitation' && (user.logins_count ?? 0) > 0 && options.force !== true) {
    return { ...base, status: 'skipped', reason: 'already_logged_in' };
  }
  if (options.kind === 'verification' && user.email_verified && options.force !== true) {
    return { ...base, status: 'skipped', reason: 'already_verified' };
  }
  if (options.dryRun === true) return { ...base, status: 'would_send' };
  const locale = languageTag(user.user_metadata.locale) ?? 'en';

  if (options.kind === 'invitation') {
    // Recorded as the Action records its own, so that `npm run invite` run again on the CSV does not send it once more.
    const sent = await sendRecordedInvitation(
      { management, ...(settings.invitation !== undefined ? { direct: settings.invitation } : {}) },
      { userId: user.user_id, email: user.email, ...(user.username !== undefined ? { username: user.username } : {}), locale },
    );
    if (!sent.ok) return { ...base, status: 'failed', reason: `invite_${sent.reason}` };
    return { ...base, status: 'sent', ...(sent.value !== undefined ? { reason: sent.value } : {}) };
  }

  const verification = settings.verification;
  if (verification === undefined) return { ...base, status: 'failed', reason: 'no_verification_settings' };
  let token: string;
  try {
    token = await management.token();
  } catch (error) {
    return { ...base, status: 'failed', reason: failureReason(error) };
  }
  const budget = new EmailBudget(ADMIN_EMAIL_BUDGET_MS);
  const sent = await sendVerificationEmail(
    {
      domain: management.domain,
      token,
      user: { userId: user.user_id, email: user.email, ...(user.username !== undefined ? { username: user.username } : {}) },
      ticket: { ttlSec: verification.ttlSec, ...(verification.resultUrl !== undefined ? { resultUrl: verification.resultUrl } : {}) },
      locale,
      appName: verification.appName,
      templateId: templateIdFor('verify', locale, verification.templateId, verification.templates),
      customArgs: { user_id: user.user_id, action: 'admin-resend' },
      fetch: management.fetch,
    },
    verification.mail,
    budget,
  );
  if (!sent.ok) return { ...base, status: 'failed', reason: `verification_${sent.reason}` };
  // As verify-and-welcome records it, so that the next login does not send another one.
  const recorded = await updateAppMetadata({ domain: management.domain, token, budget, fetch: management.fetch }, user.user_id, {
    verification_email_sent: true,
    verification_email_sent_at: new Date().toISOString(),
  });
  return recorded.ok ? { ...base, status: 'sent' } : { ...base, status: 'sent', reason: `not_recorded_${recorded.reason}` };
}

/** Every user a search (Auth0 user search v3, Lucene) matches, page by page. Auth0 returns the first 1,000 only. */
export async function* usersMatching(management: AdminManagement, query: string, connection?: string): AsyncGenerator<FoundUser> {
  const q = connection !== undefined ? `(${query}) AND identities.connection:"${connection}"` : query;
  const page = await management.client.users.list({ q, search_engine: 'v3', per_page: 100 });
  for await (const user of page) yield toFoundUser(user);
}

export interface ResendSummary {
  matched: number;
  sent: number;
  wouldSend: number;
  skipped: number;
  failed: number;
}

/** Resends to every matching user, a few at a time (the rate governor paces the requests). */
export async function resendToMatching(
  management: AdminManagement,
  settings: ResendSettings,
  users: AsyncIterable<FoundUser>,
  options: ResendOptions & { signal?: AbortSignal; onUser?: (outcome: ResendOutcome) => void },
): Promise<ResendSummary & { interrupted: boolean }> {
  const summary = { matched: 0, sent: 0, wouldSend: 0, skipped: 0, failed: 0, interrupted: false };
  const inFlight = new Set<Promise<void>>();
  const limit = management.governor.concurrency;
  for await (const user of users) {
    if (options.signal?.aborted === true) {
      summary.interrupted = true;
      break;
    }
    summary.matched += 1;
    const work = resendToUser(management, settings, user, options)
      .catch((error: unknown): ResendOutcome => ({ userId: user.user_id, status: 'failed', reason: failureReason(error) }))
      .then((outcome) => {
        if (outcome.status === 'sent') summary.sent += 1;
        else if (outcome.status === 'would_send') summary.wouldSend += 1;
        else if (outcome.status === 'skipped') summary.skipped += 1;
        else summary.failed += 1;
        options.onUser?.(outcome);
      });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
    while (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return summary;
}
