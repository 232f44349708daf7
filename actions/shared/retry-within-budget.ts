import { EmailBudget } from './email-budget';
import { fail, type Outcome } from './outcome';

/**
 * Asks again when Auth0 refused for now or gave no answer: a 429 (Auth0's rate limit, shared
 * with a bulk invitation's requests), a 5xx, a lost or cut-short answer. A 4xx other than 429 is
 * final. Only for calls that may be repeated (a ticket, a metadata PATCH).
 */
export function worthRepeating(reason: string): boolean {
  return !/_http_4\d\d$/.test(reason) || reason.endsWith('_http_429');
}

export interface RetryPolicy {
  /** Time for one attempt, so that a hung request leaves room for the next. */
  attemptMs: number;
  /** Time that must be left after a pause: the next attempt's, and what follows it in the budget. */
  reserveMs: number;
  /**
   * When a 429's wait does not fit the budget, ask again after the backoff instead of giving up:
   * for a call whose failure costs more than one more refusal (the record of a sent email).
   */
  persist?: boolean;
}

/** First pause after a 5xx or a lost answer; doubles per attempt. A 429 waits what Auth0 says. */
const BACKOFF_MS = 250;
/** Added at random to each pause, so that the executions a 429 stopped together do not all ask again at once. */
const SPREAD_MS = 250;

/**
 * Runs `call` until it succeeds, fails for good, or the budget has no room for another attempt.
 * A 429 waits its `Retry-After` (else `x-ratelimit-reset`) when that fits the budget, and
 * otherwise gives up: at the first attempt `<reason>_retry_after_<n>s_past_budget` (unless
 * `persist`), after several `<reason>_after_<n>_attempts`.
 */
export async function retryWithinBudget<T>(
  budget: EmailBudget,
  policy: RetryPolicy,
  call: (attempt: EmailBudget) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await call(new EmailBudget(Math.min(policy.attemptMs, budget.remainingMs())));
    if (outcome.ok || !worthRepeating(outcome.reason)) return outcome;
    const backoff = BACKOFF_MS * 2 ** (attempt - 1);
    let told = outcome.retryAfterMs;
    if (told !== undefined && policy.persist === true && told + policy.reserveMs > budget.remainingMs()) told = undefined;
    const pause = (told ?? backoff) + Math.random() * SPREAD_MS;
    if (pause + policy.reserveMs > budget.remainingMs()) {
      if (attempt > 1) return fail(`${outcome.reason}_after_${attempt}_attempts`);
      if (told !== undefined) return fail(`${outcome.reason}_retry_after_${Math.ceil(told / 1000)}s_past_budget`);
      return outcome;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
