import type { ActionCache } from './auth0-actions';

/** Auth0 writes app_metadata when the trigger ends, at most 20 s after it starts; the claim outlives that. */
const CLAIM_TTL_MS = 25_000;

/**
 * Two logins of one user at once (two tabs, a refresh-token exchange during a login) both see the
 * flag unset, because Auth0 writes app_metadata only when each trigger ends. `api.cache` is shared
 * by the executions one Auth0 instance runs, so the second login finds the first one's claim and
 * leaves the email to it. Executions on different instances share no cache: there a second email
 * stays possible, and nothing Auth0 offers an Action closes that (no conditional metadata write).
 * A cache that refuses the entry (full, entry limit) leaves the email unclaimed, and it is sent.
 */
export function claimEmail(cache: ActionCache, kind: 'verification' | 'welcome', userId: string): boolean {
  const key = claimKey(kind, userId);
  if (cache.get(key) !== undefined) return false;
  cache.set(key, '1', { ttl: CLAIM_TTL_MS });
  return true;
}

/** An email that was not sent gives its claim back, so the next login tries again. */
export function releaseEmail(cache: ActionCache, kind: 'verification' | 'welcome', userId: string): void {
  cache.delete(claimKey(kind, userId));
}

function claimKey(kind: 'verification' | 'welcome', userId: string): string {
  return `${kind === 'verification' ? 'v' : 'w'}:${userId}`;
}
