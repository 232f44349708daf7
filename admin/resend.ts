import { EmailBudget } from '../actions/shared/email-budget';
import { languageTag, templateIdFor } from '../actions/shared/locale';
import { updateAppMetadata } from '../actions/shared/management-api';
import { invitedByOf } from '../actions/shared/invitation-record';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import type { TemplateOverrides } from '../actions/shared/settings';
import { sendVerificationEmail } from '../actions/shared/verification-email';
import { findUserById, type FoundUser } from './find-user';
import { ADMIN_EMAIL_BUDGET_MS, sendRecordedInvitation, type DirectInvitation } from './invite-user';
import { failureReason, type AdminManagement } from './management';

export { PENDING_INVITATIONS_QUERY, pendingInvitations, usersMatching } from './user-listing';

/**
 * Sending an invitation or a verification email again, to one user or to every user a search
 * query matches. Both go out from the script (ticket + SendGrid), the way the Actions send them,
 * so they work whatever the tenant's invitation mode, and on connections with non-unique emails.
 */
export type ResendKind = 'invitation' | 'verification';

export interface VerificationResend {
  templateId: string;
  ttlSec: number;
  resultUrl?: string | undefined;
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
  /**
   * Whether the user, as read just before the email would go, still calls for it: a reason to
   * skip it, or undefined. `npm run invitations -- resend` checks the invitation's state and
   * that none was sent within its window here, on the consistent read, not on the listing.
   */
  skipReason?: (user: FoundUser) => string | undefined;
}

export interface ResendOutcome {
  userId: string;
  username?: string;
  connection?: string;
  status: 'sent' | 'would_send' | 'skipped' | 'failed';
  reason?: string;
}

/**
 * Sends to one user found by a lookup or a listing. Before sending, the user is read again by id,
 * Auth0's immediately consistent read (docs-v2 manage-users/user-search/user-search-best-practices.mdx):
 * a listing comes from the search index or an export, which may be seconds old (a login, a
 * verification, a deletion not in it yet). A dry run decides on the listing alone.
 */
export async function resendToUser(
  management: AdminManagement,
  settings: ResendSettings,
  listed: FoundUser,
  options: ResendOptions,
): Promise<ResendOutcome> {
  let user = listed;
  if (options.dryRun !== true) {
    let current: FoundUser | undefined;
    try {
      current = await findUserById(management, listed.user_id);
    } catch (error) {
      return { userId: listed.user_id, status: 'failed', reason: `lookup_${failureReason(error)}` };
    }
    if (current === undefined) return { userId: listed.user_id, status: 'skipped', reason: 'no_longer_exists' };
    user = current;
  }
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
  const skip = options.skipReason?.(user);
  if (skip !== undefined) return { ...base, status: 'skipped', reason: skip };
  if (options.dryRun === true) return { ...base, status: 'would_send' };
  const locale = languageTag(user.user_metadata.locale) ?? 'en';

  if (options.kind === 'invitation') {
    const invitedBy = invitedByOf(user.app_metadata);
    // Recorded as the Action records its own, so that `npm run invite` run again on the CSV does not send it once more.
    const sent = await sendRecordedInvitation(
      { management, direct: settings.invitation },
      { userId: user.user_id, email: user.email, username: user.username, locale, invitedBy },
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
      user: { userId: user.user_id, email: user.email, username: user.username },
      ticket: { ttlSec: verification.ttlSec, resultUrl: verification.resultUrl },
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
