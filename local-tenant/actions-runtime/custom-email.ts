import type { CustomEmailProviderApi } from '../../actions/shared/auth0-actions';
import type { CustomEmailOutcome } from '../state/hooks';
import type { EmailNotificationOutcome } from '../state/types';
import type { ActionCacheStore } from './action-cache';
import { safeInspect } from './load-action';

/**
 * Auth0's handling of an email given to the custom-email-provider Action: the Action ends
 * without a call (delivered), calls api.notification.drop (never tried again), or calls
 * api.notification.retry (tried again, up to 5 times "in the next minutes"). Only the last
 * call of an execution counts, and a reason is kept to 1024 characters.
 */

/** Auth0 retries an email up to 5 times after the first attempt. */
const EMAIL_RETRIES = 5;
/**
 * The delays before each retry. Auth0 spreads its retries over minutes; the local tenant
 * compresses them (and waits for the last one before it answers the request that sent the
 * email, so that a test sees the outcome). A shorter list repeats its last delay.
 */
const DEFAULT_EMAIL_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000, 4000];
const MAX_REASON = 1024;

export type NotificationDecision = { kind: 'retry' | 'drop'; reason: string } | undefined;

/** The api of one execution; `decision()` is the last retry/drop call, if any. */
export function customEmailApi(cache: ActionCacheStore): { api: CustomEmailProviderApi; decision(): NotificationDecision } {
  let decision: NotificationDecision;
  const decide = (kind: 'retry' | 'drop') => (reason: unknown) => {
    // Auth0 types the reason a string; an Action may pass anything, shown as its console.log would show it.
    const text = typeof reason === 'string' ? reason : reason === undefined || reason === null ? '' : safeInspect(reason);
    decision = { kind, reason: text.slice(0, MAX_REASON) };
  };
  return { api: { cache, notification: { retry: decide('retry'), drop: decide('drop') } }, decision: () => decision };
}

/** What one attempt came to: the Action's decision, or an error or time-out (retried, as a failed delivery). */
export interface AttemptResult {
  decision: NotificationDecision;
  /** The Action threw or ran past the trigger's time limit. */
  failure?: string | undefined;
}

export function attemptOutcome(messageType: string, attempt: number, result: AttemptResult): EmailNotificationOutcome {
  if (result.failure !== undefined) return { message_type: messageType, attempt, outcome: 'retry', reason: result.failure };
  if (result.decision === undefined) return { message_type: messageType, attempt, outcome: 'accepted' };
  return { message_type: messageType, attempt, outcome: result.decision.kind, reason: result.decision.reason };
}

/**
 * Runs the attempts: the first, then a retry after each `retry` outcome, at most EMAIL_RETRIES
 * of them, waiting the configured delay before each.
 */
export async function deliverWithRetries(
  attempt: (n: number) => Promise<EmailNotificationOutcome>,
  delaysMs: readonly number[] = DEFAULT_EMAIL_RETRY_DELAYS_MS,
): Promise<CustomEmailOutcome> {
  let last: EmailNotificationOutcome | undefined;
  for (let n = 1; n <= 1 + EMAIL_RETRIES; n++) {
    if (n > 1) await sleep(delaysMs[Math.min(n - 2, delaysMs.length - 1)] ?? 0);
    last = await attempt(n);
    if (last.outcome === 'accepted') return { status: 'accepted', attempts: n };
    if (last.outcome === 'drop') return { status: 'dropped', attempts: n, reason: last.reason ?? '' };
    if (last.outcome === 'failed') return { status: 'failed', attempts: n, reason: last.reason ?? '' };
  }
  return { status: 'failed', attempts: 1 + EMAIL_RETRIES, reason: `retries_exhausted: ${last?.reason ?? ''}` };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
