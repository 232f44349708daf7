import type { LoggedRequest } from '../../local-tenant/faults/request-log';

/**
 * How far a sequence of requests went past a token bucket's budget: over every window
 * [t_i, t_j], the requests in it less (rate × window + burst). At most 0 means the client
 * never asked for more than the bucket could give; `burst` more means it sent one whole extra
 * burst, which is what the issue allows at most.
 */
export function maxOverBudget(startTimesMs: readonly number[], perSecond: number, burst: number): number {
  const times = [...startTimesMs].sort((a, b) => a - b);
  let worst = -Infinity;
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const count = j - i + 1;
      const allowed = (perSecond * (times[j]! - times[i]!)) / 1000 + burst;
      worst = Math.max(worst, count - allowed);
    }
  }
  return worst;
}

/** Start times of the logged Management API requests (not /oauth/token, not SendGrid). */
export function managementApiTimes(log: readonly LoggedRequest[]): number[] {
  return log.filter((r) => r.path.startsWith('/api/v2/')).map((r) => Date.parse(r.at));
}
