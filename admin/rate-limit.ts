import { AsyncLocalStorage } from 'node:async_hooks';
import { TokenBucket } from 'limiter';

/**
 * Paces the scripts' Management API requests to the tenant's rate limit, inside the `fetch`
 * the `auth0` SDK is given (the SDK runs with `maxRetries: 0`, so retries are not doubled).
 *
 * Auth0 limits the Management API with token buckets and tells every caller where it stands:
 * `x-ratelimit-limit` (the bucket size), `x-ratelimit-remaining` (tokens left) and
 * `x-ratelimit-reset` (unix epoch seconds when the bucket is full again); a 429 carries
 * `Retry-After` (seconds). Four things keep the scripts close to the limit without tripping it:
 *
 * 1. A client token bucket (`limiter`): never more than `ratePerSecond`, `burst` at once.
 * 2. The server's own count: a request starts only while the latest `x-ratelimit-remaining`,
 *    less the requests sent after the answered one, plus the tokens come back since (at the
 *    pace `x-ratelimit-reset` gives), leaves a token for it; otherwise it waits for the next
 *    answer or for that time. Until the first answer only one request is in flight, so the
 *    headers are known early.
 * 3. A 429 pauses every request until `Retry-After`, then the request is sent again.
 * 4. At most `concurrency` requests at once.
 *
 * 5xx answers, timeouts and dropped connections are retried with exponential backoff, but only
 * for requests that are safe to repeat (reads, PATCH/PUT/DELETE and ticket creation). A
 * `POST /users` is not repeated here: the caller decides (see invite-user.ts), because Auth0
 * may have created the user before failing.
 */

export interface RateGovernorOptions {
  /** Upper bound of the client bucket's rate, whatever the headers allow. Default 50/s (Auth0 Enterprise's sustained rate is 16/s). */
  ratePerSecond?: number;
  /** Client bucket size. Default: `concurrency`. */
  burst?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Attempts per request (429, and 5xx/network on requests safe to repeat). Default 6. */
  maxAttempts?: number;
  /** Time allowed to one attempt before it is aborted as hanging. Default 30 s. */
  requestTimeoutMs?: number;
  /** First backoff after a 5xx or a network error; doubles per attempt. Default 500 ms. */
  backoffMs?: number;
  /** Stops waiting requests (they reject with an AbortError). */
  signal?: AbortSignal;
  /** Which requests are paced: by default those to `/api/v2/` (not `/oauth/token`, which has its own limits). */
  governs?: (url: URL) => boolean;
}

/** What the governor saw; the bulk invite reports these, the benchmark reads them. */
export interface RateCounters {
  /** Attempts sent to the Management API (every retry counts). */
  requests: number;
  /** 429 answers received. */
  rateLimited: number;
  /** 5xx answers received. */
  serverErrors: number;
  /** Attempts that ended without an answer (timeout, reset connection). */
  networkErrors: number;
  /** 2xx answers whose JSON body was cut short or invalid. */
  malformedResponses: number;
  /** Attempts that were repeats of an earlier one. */
  retries: number;
  /** Total time requests waited for the limits (summed over requests). */
  waitedMs: number;
  /** The bucket size the tenant announced last (`x-ratelimit-limit`). */
  serverLimit?: number;
}

/**
 * A mirror of the tenant's bucket: set from the newest answer (its `remaining`, less what was
 * sent after that request, plus what came back since), refilled at the pace the headers give,
 * and spent as requests leave.
 */
interface ServerBucket {
  limit: number;
  tokens: number;
  updatedAt: number;
  /** Time one token takes to come back; undefined until a header tells it. */
  msPerToken: number | undefined;
  /** `sent` counter after the answered request: later answers replace the mirror, older ones do not. */
  sentIndex: number;
}

const RETRIED_STATUSES = new Set([500, 502, 503, 504]);
/** The pace assumed before an answer tells it. */
const UNKNOWN_PACE_MS_PER_TOKEN = 1000;
/** Answers the pace is learned from. */
const PACE_SAMPLES = 16;
const costStorage = new AsyncLocalStorage<number>();

export class RateGovernor {
  readonly counters: RateCounters = {
    requests: 0,
    rateLimited: 0,
    serverErrors: 0,
    networkErrors: 0,
    malformedResponses: 0,
    retries: 0,
    waitedMs: 0,
  };
  readonly concurrency: number;
  private readonly bucket: TokenBucket;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;
  private readonly backoffMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly governs: (url: URL) => boolean;
  private inflight = 0;
  /** Requests admitted so far (in tokens). */
  private sent = 0;
  /**
   * Requests admitted and not answered yet, by their `sent` count at admission, with their cost.
   * Requests travel on separate connections, so one admitted earlier may reach the tenant after
   * one admitted later: an answer's `remaining` may or may not count it.
   */
  private readonly unanswered = new Map<number, number>();
  private pausedUntil = 0;
  private answered = false;
  private server: ServerBucket | undefined;
  private releaseWaiters: Array<() => void> = [];
  private paceSamples: number[] = [];
  private paceLimit = 0;
  /** Admission is one at a time, in arrival order. */
  private admission: Promise<void> = Promise.resolve();

  constructor(options: RateGovernorOptions = {}) {
    this.concurrency = positive(options.concurrency ?? 4, 'concurrency');
    const rate = positive(options.ratePerSecond ?? 50, 'ratePerSecond');
    const burst = positive(options.burst ?? this.concurrency, 'burst');
    this.bucket = new TokenBucket({ bucketSize: burst, tokensPerInterval: rate, interval: 'second' });
    this.bucket.content = burst;
    this.maxAttempts = positive(options.maxAttempts ?? 6, 'maxAttempts');
    this.requestTimeoutMs = positive(options.requestTimeoutMs ?? 30_000, 'requestTimeoutMs');
    this.backoffMs = options.backoffMs ?? 500;
    this.signal = options.signal;
    this.governs = options.governs ?? ((url) => url.pathname.startsWith('/api/v2/'));
  }

  /**
   * Runs `work` with its Management API requests counted as `cost` tokens each: a request
   * that makes the tenant's own Actions call the Management API (a user created on a
   * connection invited by ticket) leaves room for that call too.
   */
  withCost<T>(cost: number, work: () => Promise<T>): Promise<T> {
    return costStorage.run(Math.max(1, Math.round(cost)), work);
  }

  /** A fetch that paces, retries and counts the Management API requests made through it. */
  wrap(inner: typeof fetch = fetch): typeof fetch {
    const governed = (input: Parameters<typeof fetch>[0], init?: RequestInit) => this.fetch(inner, input, init);
    return governed as typeof fetch;
  }

  private async fetch(inner: typeof fetch, input: Parameters<typeof fetch>[0], init: RequestInit = {}): Promise<Response> {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!this.governs(url)) return inner(input, init);
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const repeatable = isSafeToRepeat(method, url.pathname);
    const cost = costStorage.getStore() ?? 1;
    const callerSignal = init.signal ?? undefined;

    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.counters.retries += 1;
      const admitted = await this.admit(cost, callerSignal);
      this.counters.requests += 1;
      const sentAt = Date.now();
      // The tenant's answer counts this request, not the calls the tenant's Actions make for it (cost - 1).
      const sentIndex = admitted - (cost - 1);
      let response: Response;
      try {
        const signals = [AbortSignal.timeout(this.requestTimeoutMs), callerSignal, this.signal].filter(
          (s): s is AbortSignal => s !== undefined,
        );
        response = await inner(input, { ...init, signal: AbortSignal.any(signals) });
      } catch (error) {
        this.release(admitted);
        if (callerSignal?.aborted === true || this.signal?.aborted === true) throw error;
        this.counters.networkErrors += 1;
        if (!repeatable || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.backoff(attempt), callerSignal);
        continue;
      }
      this.release(admitted);
      this.observe(response.headers, sentAt, sentIndex);

      if (response.status === 429) {
        this.counters.rateLimited += 1;
        this.pauseAfter429(response.headers, attempt, sentIndex);
        if (attempt >= this.maxAttempts) return response;
        await discard(response);
        continue;
      }
      if (RETRIED_STATUSES.has(response.status)) {
        this.counters.serverErrors += 1;
        if (!repeatable || attempt >= this.maxAttempts) return response;
        await discard(response);
        await this.sleep(this.backoff(attempt), callerSignal);
        continue;
      }
      // auth0 v7 resolves a 2xx whose JSON is cut short with a placeholder object instead of
      // throwing, which reads as "no users": such an answer is a failure, repeated when safe.
      const checked = await wellFormed(response);
      if (checked.ok) return checked.response;
      this.counters.malformedResponses += 1;
      if (!repeatable || attempt >= this.maxAttempts) return checked.response;
      await this.sleep(this.backoff(attempt), callerSignal);
    }
  }

  /** Waits, in arrival order, until a request of `cost` tokens may start; resolves to its `sent` count. */
  private admit(cost: number, callerSignal: AbortSignal | undefined): Promise<number> {
    const turn = this.admission.then(() => this.waitForRoom(cost, callerSignal));
    // The next request waits for this one's admission, not for its failure.
    this.admission = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async waitForRoom(cost: number, callerSignal: AbortSignal | undefined): Promise<number> {
    const started = Date.now();
    try {
      for (;;) {
        throwIfAborted(callerSignal);
        throwIfAborted(this.signal);
        const now = Date.now();
        if (this.inflight >= this.concurrency) {
          await this.nextRelease();
          continue;
        }
        if (now < this.pausedUntil) {
          await this.sleep(this.pausedUntil - now, callerSignal);
          continue;
        }
        if (!this.answered && this.inflight > 0) {
          // Learn the tenant's headers from the first answer before sending more.
          await this.nextRelease();
          continue;
        }
        const serverWait = this.serverWaitMs(now, cost);
        if (serverWait > 0) {
          await (this.inflight > 0 ? this.raceRelease(serverWait, callerSignal) : this.sleep(serverWait, callerSignal));
          continue;
        }
        const bucketCost = Math.min(cost, this.bucket.bucketSize);
        const bucketWait = this.bucket.getWaitTime(bucketCost);
        if (bucketWait > 0) {
          await this.sleep(bucketWait, callerSignal);
          continue;
        }
        if (!this.bucket.tryRemoveTokens(bucketCost)) continue;
        this.inflight += 1;
        this.sent += cost;
        this.unanswered.set(this.sent, cost);
        if (this.server !== undefined) this.server.tokens -= cost;
        return this.sent;
      }
    } finally {
      this.counters.waitedMs += Date.now() - started;
    }
  }

  /** 0 when the mirror of the tenant's bucket holds `cost` tokens, else how long until it does. */
  private serverWaitMs(now: number, cost: number): number {
    const server = this.server;
    if (server === undefined) return 0;
    // Until an answer tells the pace, one token a second: slower than any Auth0 plan refills
    // (the free plan: 2 a second), and a bucket that never refilled would hold a request forever.
    const msPerToken = server.msPerToken ?? UNKNOWN_PACE_MS_PER_TOKEN;
    server.tokens = Math.min(server.limit, server.tokens + (now - server.updatedAt) / msPerToken);
    server.updatedAt = now;
    const needed = Math.min(cost, server.limit);
    if (server.tokens >= needed) return 0;
    return Math.max(1, Math.ceil((needed - server.tokens) * msPerToken));
  }

  private observe(headers: Headers, sentAt: number, sentIndex: number): void {
    this.answered = true;
    // An answer to an older request than the one the mirror comes from says less: keep the newer.
    if (this.server !== undefined && sentIndex < this.server.sentIndex) return;
    if (headers.get('x-ratelimit-limit') === null || headers.get('x-ratelimit-remaining') === null) return;
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Math.max(0, Number(headers.get('x-ratelimit-remaining')));
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (!Number.isFinite(limit) || limit <= 0 || !Number.isFinite(remaining)) return;
    const msPerToken = this.learnPace(limit, remaining, Number.isFinite(reset) ? reset * 1000 - sentAt : 0);
    const now = Date.now();
    this.server = {
      limit,
      // `remaining` as of now, with nothing refilled since the tenant counted it: when that was,
      // between sending and now, is unknown (a busy tenant or client holds the request or its
      // answer: crediting the time since sending over-sent under load). Less what was admitted
      // after this request, and what was admitted before it and is still unanswered (it may reach
      // the tenant after this one: measured, one run in three sent a sixth request into a burst
      // of five before this was counted).
      tokens: Math.min(limit, remaining) - (this.sent - sentIndex) - this.unansweredBefore(sentIndex),
      updatedAt: now,
      msPerToken,
      sentIndex,
    };
    this.counters.serverLimit = limit;
  }

  /**
   * The time one token takes to come back. One answer bounds it from above: the time until the
   * bucket is full (`reset`, rounded up to a whole second by Auth0, and measured from when the
   * request left) over the fewest tokens that can be missing (`remaining` is rounded down). The
   * smallest of the last answers' bounds is the pace: never faster than the tenant refills, and
   * closer to it with each answer.
   */
  private learnPace(limit: number, remaining: number, untilFullMs: number): number | undefined {
    if (limit !== this.paceLimit) {
      this.paceSamples = [];
      this.paceLimit = limit;
    }
    const fewestMissing = limit - remaining - 1;
    if (fewestMissing >= 1 && untilFullMs > 0) {
      this.paceSamples.push(untilFullMs / fewestMissing);
      if (this.paceSamples.length > PACE_SAMPLES) this.paceSamples.shift();
    }
    return this.paceSamples.length > 0 ? Math.min(...this.paceSamples) : this.server?.msPerToken;
  }

  private pauseAfter429(headers: Headers, attempt: number, sentIndex: number): void {
    const now = Date.now();
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
    const reset = Number(headers.get('x-ratelimit-reset'));
    const resetMs = Number.isFinite(reset) && reset > 0 ? reset * 1000 - now : undefined;
    // Retry-After first (Auth0 sends it with every 429), else the reset time, else exponential.
    const pause = retryAfterMs ?? (resetMs !== undefined && resetMs > 0 ? resetMs : this.backoff(attempt));
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    if (this.server !== undefined && sentIndex >= this.server.sentIndex) {
      this.server = { ...this.server, tokens: Math.min(this.server.tokens, 0), updatedAt: now, sentIndex };
    }
  }

  private backoff(attempt: number): number {
    const base = this.backoffMs * 2 ** (attempt - 1);
    return Math.min(30_000, base / 2 + Math.random() * (base / 2));
  }

  /** Tokens of the requests admitted before the one at `sentIndex` that have no answer yet. */
  private unansweredBefore(sentIndex: number): number {
    let tokens = 0;
    for (const [index, cost] of this.unanswered) if (index < sentIndex) tokens += cost;
    return tokens;
  }

  private release(admitted: number): void {
    this.unanswered.delete(admitted);
    this.inflight -= 1;
    const waiters = this.releaseWaiters;
    this.releaseWaiters = [];
    for (const wake of waiters) wake();
  }

  private nextRelease(): Promise<void> {
    return new Promise((resolve) => this.releaseWaiters.push(resolve));
  }

  private async raceRelease(ms: number, callerSignal: AbortSignal | undefined): Promise<void> {
    await Promise.race([this.nextRelease(), this.sleep(ms, callerSignal)]);
  }

  private sleep(ms: number, callerSignal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const signals = [callerSignal, this.signal].filter((s): s is AbortSignal => s !== undefined);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError());
      };
      const timer = setTimeout(() => {
        for (const s of signals) s.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      for (const s of signals) {
        if (s.aborted) return onAbort();
        s.addEventListener('abort', onAbort, { once: true });
      }
    });
  }
}

/** Reads, PUT/PATCH/DELETE and new tickets may be sent twice; a user creation or a job may not. */
export function isSafeToRepeat(method: string, path: string): boolean {
  if (['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'].includes(method)) return true;
  return method === 'POST' && /\/api\/v2\/tickets\//.test(path);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, not ${value}`);
  return value;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError();
}

function abortError(): Error {
  return new DOMException('The operation was aborted', 'AbortError');
}

/** A 2xx JSON answer read whole and parsed; handed on as a fresh Response with the same body. */
async function wellFormed(response: Response): Promise<{ ok: boolean; response: Response }> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || response.status === 204 || !type.includes('json')) return { ok: true, response };
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { ok: false, response: new Response('', { status: response.status, headers: response.headers }) };
  }
  let ok = true;
  try {
    if (text !== '') JSON.parse(text);
  } catch {
    ok = false;
  }
  return { ok, response: new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers }) };
}

async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // A body that fails to arrive changes nothing: the request is sent again.
  }
}
