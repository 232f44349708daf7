import { AsyncLocalStorage } from 'node:async_hooks';
import { TokenBucket } from 'limiter';
import { RefillPace } from './refill-pace';

/**
 * Paces the scripts' Management API requests to the tenant's rate limit, inside the `fetch`
 * the `auth0` SDK is given (the SDK runs with `maxRetries: 0`, so retries are not doubled).
 *
 * Auth0 limits the Management API with token buckets and tells every caller where it stands:
 * `x-ratelimit-limit` (the bucket size), `x-ratelimit-remaining` (tokens left) and
 * `x-ratelimit-reset` ("UNIX timestamp, in seconds, of the expected time when additional
 * requests will be added to the bucket": the next token, docs-v2 rate-limit-use-cases.mdx); a
 * 429 carries `Retry-After` (seconds). Four things keep the scripts close to the limit without
 * tripping it:
 *
 * 1. A client token bucket (`limiter`): never more than `ratePerSecond`, `burst` at once.
 * 2. The server's own count: a request starts only while the latest `x-ratelimit-remaining`,
 *    less the requests sent after the answered one and the calls the tenant's Actions still owe
 *    for earlier ones, plus the tokens come back since, leaves a token for it; otherwise it
 *    waits for the next answer or for that time. Tokens come back at the pace learned from
 *    successive answers' `remaining` (refill-pace.ts), and one is back by `x-ratelimit-reset`.
 *    Until the first answer only one request is in flight, so the headers are known early.
 * 3. A 429 pauses every request until `Retry-After` (else `x-ratelimit-reset`), then the
 *    request is sent again.
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
  /**
   * How long after its answer a request run `withCost` still owes the tenant's bucket the calls
   * of the tenant's Actions (cost - 1): post-user-registration runs after the creation's answer
   * (asynchronously), and its calls show in `x-ratelimit-remaining` only once made. Default 2 s
   * (the local tenant's default profile starts it 1 s after the answer). Longer keeps more of the
   * bucket free for the Actions; shorter lets the script send into their calls.
   */
  actionLagMs?: number;
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
 * sent after that request and what the Actions still owe), refilled at the learned pace, and
 * spent as requests leave.
 */
interface ServerBucket {
  limit: number;
  tokens: number;
  updatedAt: number;
  /** `sent` counter after the answered request: later answers replace the mirror, older ones do not. */
  sentIndex: number;
  /** The mirror as set from the answer, and the `sent` counter then: the base of the token due by `nextTokenAt`. */
  tokensAtAnswer: number;
  sentAtAnswer: number;
  /** `x-ratelimit-reset` in ms: the tenant has added a request to the bucket by then. Undefined once credited. */
  nextTokenAt: number | undefined;
}

/** Calls the tenant's Actions owe the bucket for an answered request run `withCost`. */
interface OwedCalls {
  /** The request's `sentIndex`. */
  index: number;
  tokens: number;
  answeredAt: number;
}

const RETRIED_STATUSES = new Set([500, 502, 503, 504]);
/** The pace assumed before answers tell it. */
const UNKNOWN_PACE_MS_PER_TOKEN = 1000;
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
  /** Requests admitted so far. */
  private sent = 0;
  /**
   * Requests admitted and not answered yet, by their `sent` count at admission.
   * Requests travel on separate connections, so one admitted earlier may reach the tenant after
   * one admitted later: an answer's `remaining` may or may not count it.
   */
  private readonly unanswered = new Set<number>();
  private pausedUntil = 0;
  private answered = false;
  private server: ServerBucket | undefined;
  private releaseWaiters: Array<() => void> = [];
  private readonly pace: RefillPace;
  private owed: OwedCalls[] = [];
  private readonly actionLagMs: number;
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
    this.actionLagMs = options.actionLagMs ?? 2_000;
    this.pace = new RefillPace(this.actionLagMs);
  }

  /**
   * Runs `work` with its Management API requests costing `cost` tokens each: a request that
   * makes the tenant's own Actions call the Management API (a user created on a connection
   * invited by ticket) leaves room for those calls too. It is sent only when the mirror holds
   * `cost` tokens, spends one as it leaves (what the tenant counts on its arrival), and owes
   * the other `cost - 1` from its answer on (the Actions run after it).
   */
  withCost<T>(cost: number, work: () => Promise<T>): Promise<T> {
    return costStorage.run(Math.max(1, Math.round(cost)), work);
  }

  /** A fetch that paces, retries and counts the Management API requests made through it. */
  wrap(inner: typeof fetch = fetch): typeof fetch {
    const governed = (input: Parameters<typeof fetch>[0], init?: RequestInit) => this.fetch(inner, input, init);
    return governed;
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
      const sentIndex = admitted;
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
      // A created user's Actions call the Management API after this answer: owed until they show.
      const owes = cost > 1 && response.ok ? cost - 1 : 0;
      this.observe(response.headers, response.status, sentAt, sentIndex, owes);
      if (owes > 0) this.owed.push({ index: sentIndex, tokens: owes, answeredAt: Date.now() });

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
        // One token: the tenant counts this request; its Actions' calls are owed from its answer.
        this.sent += 1;
        this.unanswered.add(this.sent);
        if (this.server !== undefined) this.server.tokens -= 1;
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
    this.refilled(server, now);
    const needed = Math.min(cost, server.limit);
    if (server.tokens >= needed) return 0;
    const paced = Math.max(1, Math.ceil((needed - server.tokens) * this.msPerToken()));
    const byReset = this.byReset(server);
    return server.nextTokenAt !== undefined && byReset >= needed ? Math.min(paced, Math.max(1, server.nextTokenAt - now)) : paced;
  }

  /** The mirror brought to `now`: refilled at the learned pace, and by the token due at `x-ratelimit-reset`. */
  private refilled(server: ServerBucket, now: number): number {
    server.tokens = Math.min(server.limit, server.tokens + (now - server.updatedAt) / this.msPerToken());
    server.updatedAt = now;
    if (server.nextTokenAt !== undefined && now >= server.nextTokenAt) {
      server.tokens = Math.max(server.tokens, this.byReset(server));
      server.nextTokenAt = undefined;
    }
    return server.tokens;
  }

  /** By `x-ratelimit-reset` the tenant has added a request to the bucket since it answered. */
  private byReset(server: ServerBucket): number {
    return Math.min(server.limit, server.tokensAtAnswer + 1 - (this.sent - server.sentAtAnswer));
  }

  private msPerToken(): number {
    // Until answers tell the pace, one token a second: slower than any Auth0 plan refills
    // (the free plan: 2 a second), and a bucket that never refilled would hold a request forever.
    return this.pace.msPerToken() ?? UNKNOWN_PACE_MS_PER_TOKEN;
  }

  private observe(headers: Headers, status: number, sentAt: number, sentIndex: number, owes: number): void {
    this.answered = true;
    if (headers.get('x-ratelimit-limit') === null || headers.get('x-ratelimit-remaining') === null) return;
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Math.max(0, Number(headers.get('x-ratelimit-remaining')));
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (!Number.isFinite(limit) || limit <= 0 || !Number.isFinite(remaining)) return;
    const now = Date.now();
    // Every answer that took a token tells the pace, in the order they arrive (a 429 took none).
    if (status !== 429) this.pace.add(limit, { sentAt, answeredAt: now, remaining, owes });
    // An answer to an older request than the one the mirror comes from says less: keep the newer.
    if (this.server !== undefined && sentIndex < this.server.sentIndex) return;
    // `remaining` as of now, with nothing refilled since the tenant counted it: when that was,
    // between sending and now, is unknown (a busy tenant or client holds the request or its
    // answer: crediting the time since sending over-sent under load). Less what was admitted
    // after this request, and what was admitted before it and is still unanswered (it may reach
    // the tenant after this one: measured, one run in three sent a sixth request into a burst
    // of five before this was counted), and the Actions' calls owed for answered ones (the mirror
    // forgot them at the next answer, and the script sent into the tokens they were about to take).
    const base = Math.min(limit, remaining) - (this.sent - sentIndex) - this.unansweredBefore(sentIndex);
    let owed = this.owedBefore(sentIndex, now);
    if (this.server !== undefined && owed > 0) {
      // Owed calls the answer shows made: what it shows taken beyond the mirror's prediction with
      // every owed call still to come, less a token for `remaining`'s rounding. The learned pace
      // never refills faster than the tenant, so this errs towards calls not yet made.
      const made = Math.floor(this.refilled(this.server, now) + owed - base - 1);
      if (made > 0) owed -= this.settleOwed(sentIndex, made);
    }
    const tokens = base - owed;
    this.server = {
      limit,
      tokens,
      updatedAt: now,
      sentIndex,
      tokensAtAnswer: tokens,
      sentAtAnswer: this.sent,
      nextTokenAt: Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined,
    };
    this.counters.serverLimit = limit;
  }

  /** Takes up to `tokens` owed calls (admitted before `sentIndex`, oldest first) as made; how many were. */
  private settleOwed(sentIndex: number, tokens: number): number {
    let settled = 0;
    for (const o of this.owed) {
      if (o.index >= sentIndex || settled >= tokens) continue;
      const take = Math.min(o.tokens, tokens - settled);
      o.tokens -= take;
      settled += take;
    }
    this.owed = this.owed.filter((o) => o.tokens > 0);
    return settled;
  }

  /** Tokens the tenant's Actions owe for answered requests admitted before the one at `sentIndex`. */
  private owedBefore(sentIndex: number, now: number): number {
    this.owed = this.owed.filter((o) => now - o.answeredAt < this.actionLagMs);
    let tokens = 0;
    for (const o of this.owed) if (o.index < sentIndex) tokens += o.tokens;
    return tokens;
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
      const tokens = Math.min(this.server.tokens, 0);
      this.server = { ...this.server, tokens, updatedAt: now, sentIndex, tokensAtAnswer: tokens, sentAtAnswer: this.sent };
    }
  }

  private backoff(attempt: number): number {
    const base = this.backoffMs * 2 ** (attempt - 1);
    return Math.min(30_000, base / 2 + Math.random() * (base / 2));
  }

  /** Requests admitted before the one at `sentIndex` that have no answer yet. */
  private unansweredBefore(sentIndex: number): number {
    let tokens = 0;
    for (const index of this.unanswered) if (index < sentIndex) tokens += 1;
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
