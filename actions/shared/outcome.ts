/**
 * What an effect returns: the value, or a short reason code that is safe to log (no address, no
 * token); a refusal for now (429) may say how long to wait before asking again.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string; retryAfterMs?: number };

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(reason: string, retryAfterMs?: number): Outcome<T> =>
  retryAfterMs === undefined ? { ok: false, reason } : { ok: false, reason, retryAfterMs };
