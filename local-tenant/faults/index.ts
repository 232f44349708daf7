import type { IncomingMessage } from 'node:http';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { errorName } from '../management-api/errors';

export type FaultKind = '429' | '500' | '503' | 'malformed' | 'hang' | 'reset';
const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '503', 'malformed', 'hang', 'reset'];

export interface FaultRule {
  /** `METHOD /path`; a `*` in the path matches any characters (e.g. `PATCH /api/v2/users/*`). */
  route: string;
  kind: FaultKind;
  /** How many of the next matching calls fail. */
  times: number;
  /** Seconds, for 429 (default 1). */
  retryAfter?: number;
  /** For `hang`: how long before the server gives up with 504 (default 30 s) unless the client aborts first. */
  hangMs?: number;
}

/**
 * Auth0's Management API rate-limit tiers as token buckets (burst, refill per second).
 * `free`: 2/s burst 2 for everything; `essentials`: users write 20 burst / 200 per min,
 * users read 40 / 500 per min, other 10 / 150 per min; `enterprise`: burst 50, 16/s.
 */
export type RateLimitTier = 'free' | 'essentials' | 'enterprise';
interface BucketSpec {
  burst: number;
  perSecond: number;
}
/** One bucket for the whole Management API with a chosen size and rate (tests and benchmarks). */
export type CustomRateLimit = BucketSpec;
export type RateLimitSetting = RateLimitTier | CustomRateLimit;

export function isCustomRateLimit(value: unknown): value is CustomRateLimit {
  const v = value as Partial<CustomRateLimit> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.burst === 'number' && typeof v.perSecond === 'number' && v.burst >= 1 && v.perSecond > 0
  );
}
const TIERS: Record<RateLimitTier, (method: string, path: string) => { key: string; spec: BucketSpec }> = {
  free: () => ({ key: 'all', spec: { burst: 2, perSecond: 2 } }),
  enterprise: () => ({ key: 'all', spec: { burst: 50, perSecond: 16 } }),
  essentials: (method, path) => {
    if (/^\/api\/v2\/users(-by-email)?(\/|$)/.test(path)) {
      return method === 'GET'
        ? { key: 'users-read', spec: { burst: 40, perSecond: 500 / 60 } }
        : { key: 'users-write', spec: { burst: 20, perSecond: 200 / 60 } };
    }
    return { key: 'other', spec: { burst: 10, perSecond: 150 / 60 } };
  },
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Test control of failures and rate limits, applied as Hono middleware. */
export class FaultInjector {
  private rules: Array<FaultRule & { pattern: RegExp; method: string }> = [];
  private tier: RateLimitSetting | undefined;
  private buckets = new Map<string, Bucket>();
  private readonly hanging = new Set<() => void>();

  add(rule: FaultRule): void {
    const [method, path] = rule.route.trim().split(/\s+/, 2);
    if (!method || !path) throw new Error('route must be "METHOD /path"');
    const pattern = new RegExp(`^${path.split('*').map(escapeRegExp).join('.*')}$`);
    this.rules.push({ ...rule, method: method.toUpperCase(), pattern });
  }

  list(): FaultRule[] {
    return this.rules.map(({ route, kind, times, retryAfter, hangMs }) => ({
      route,
      kind,
      times,
      ...(retryAfter ? { retryAfter } : {}),
      ...(hangMs ? { hangMs } : {}),
    }));
  }

  clear(): void {
    this.rules = [];
    this.releaseHanging();
  }

  setRateLimitTier(tier: RateLimitSetting | undefined): void {
    this.tier = tier;
    this.buckets.clear();
  }

  /** Lets hanging requests end (on stop). */
  releaseHanging(): void {
    for (const release of this.hanging) release();
    this.hanging.clear();
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (c.req.path.startsWith('/__local/')) return next();
      const rule = this.rules.find((r) => r.times > 0 && r.method === c.req.method && r.pattern.test(c.req.path));
      if (rule) {
        rule.times -= 1;
        this.rules = this.rules.filter((r) => r.times > 0);
        return this.fail(c, rule);
      }
      if (this.tier && c.req.path.startsWith('/api/v2/')) {
        const limited = this.takeToken(c, this.tier);
        if (limited) return limited;
      }
      return next();
    };
  }

  private takeToken(c: Context, tier: RateLimitSetting): Response | undefined {
    const { key, spec } = typeof tier === 'string' ? TIERS[tier](c.req.method, c.req.path) : { key: 'custom', spec: tier };
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: spec.burst, updatedAt: now };
    bucket.tokens = Math.min(spec.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * spec.perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / spec.perSecond));
      setRateHeaders(c, spec.burst, 0, now / 1000 + secondsToNextToken(bucket.tokens, spec));
      c.header('retry-after', String(retryAfter));
      return c.json(
        { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' },
        429,
      );
    }
    bucket.tokens -= 1;
    setRateHeaders(c, spec.burst, Math.floor(bucket.tokens), now / 1000 + secondsToNextToken(bucket.tokens, spec));
    return undefined;
  }

  private async fail(c: Context, rule: FaultRule): Promise<Response> {
    switch (rule.kind) {
      case '429': {
        const retryAfter = rule.retryAfter ?? 1;
        c.header('retry-after', String(retryAfter));
        // The bucket size of the limit in force, as Auth0's own 429 says (2, the free tier's, without one).
        const limit =
          this.tier === undefined
            ? 2
            : typeof this.tier === 'string'
              ? TIERS[this.tier](c.req.method, c.req.path).spec.burst
              : this.tier.burst;
        setRateHeaders(c, limit, 0, Date.now() / 1000 + retryAfter);
        return c.json(
          { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' },
          429,
        );
      }
      case '500':
      case '503':
        return c.json(
          { statusCode: Number(rule.kind), error: errorName(Number(rule.kind)), message: 'An internal server error occurred' },
          rule.kind === '500' ? 500 : 503,
        );
      case 'malformed':
        // A truncated JSON body with a success status.
        return c.body('{"statusCode":200,"trunc', 200, { 'content-type': 'application/json; charset=utf-8' });
      case 'hang': {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, rule.hangMs ?? 30000);
          const signal = c.req.raw.signal;
          function done(): void {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done);
          this.hanging.add(done);
        });
        return c.json({ statusCode: 504, error: 'Gateway Timeout', message: 'The request hung (injected fault)' }, 504);
      }
      case 'reset': {
        // Over a real socket: drop the connection. In process (app.fetch) there is no socket: throw instead.
        const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
        if (incoming) {
          incoming.socket.destroy();
          return c.body(null, 500);
        }
        throw new InjectedConnectionReset();
      }
    }
  }
}

/**
 * A connection reset in process (app.fetch has no socket to drop): the app's error handlers let
 * it through, so `app.fetch` rejects as a fetch over a reset connection would, and the Actions
 * runtime turns it into a network error for the Action's HTTP client.
 */
export class InjectedConnectionReset extends TypeError {
  readonly code = 'ECONNRESET';
  constructor() {
    super('fetch failed: connection reset (injected fault)');
    this.name = 'TypeError';
  }
}

export function isInjectedConnectionReset(error: unknown): error is InjectedConnectionReset {
  return error instanceof InjectedConnectionReset;
}

/**
 * When the bucket gains its next whole request: `x-ratelimit-reset` is the "UNIX timestamp, in
 * seconds, of the expected time when additional requests will be added to the bucket", and in the
 * docs' example "1 new request will be added at that time" (docs-v2 troubleshoot/customer-support/
 * operational-policies/rate-limit-policy/rate-limit-use-cases.mdx). Not the time the bucket is full
 * again: no public recording keeps the header (docs/conformance.md), so the documented reading,
 * the stricter one for a client that learns its pace from it, is the one served. A full bucket
 * gains nothing: now.
 */
function secondsToNextToken(tokens: number, spec: BucketSpec): number {
  if (tokens >= spec.burst) return 0;
  return (Math.floor(tokens) + 1 - tokens) / spec.perSecond;
}

function setRateHeaders(c: Context, limit: number, remaining: number, resetEpochSeconds: number): void {
  c.header('x-ratelimit-limit', String(limit));
  c.header('x-ratelimit-remaining', String(Math.max(0, remaining)));
  c.header('x-ratelimit-reset', String(Math.ceil(resetEpochSeconds)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `POST|GET|DELETE /__local/faults`, `PUT /__local/rate-limits`
 * `{ tier: 'free'|'essentials'|'enterprise'|{ burst, perSecond }|null }`.
 */
export function registerFaultControl(app: Hono, faults: FaultInjector): void {
  app.post('/__local/faults', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'invalid JSON' }, 400);
    }
    const rules = Array.isArray(body) ? body : [body];
    for (const raw of rules) {
      const r = raw as Partial<FaultRule>;
      if (typeof r.route !== 'string' || !FAULT_KINDS.includes(r.kind as FaultKind)) {
        return c.json({ error: `each fault needs route "METHOD /path" and kind in ${FAULT_KINDS.join(', ')}` }, 400);
      }
      const rule: FaultRule = {
        route: r.route,
        kind: r.kind as FaultKind,
        times: typeof r.times === 'number' && r.times > 0 ? r.times : 1,
      };
      if (typeof r.retryAfter === 'number') rule.retryAfter = r.retryAfter;
      if (typeof r.hangMs === 'number') rule.hangMs = r.hangMs;
      try {
        faults.add(rule);
      } catch (error) {
        return c.json({ error: (error as Error).message }, 400);
      }
    }
    return c.json(faults.list(), 201);
  });
  app.get('/__local/faults', (c) => c.json(faults.list()));
  app.delete('/__local/faults', (c) => {
    faults.clear();
    return c.body(null, 204);
  });
  app.put('/__local/rate-limits', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { tier?: unknown };
    const tier = body.tier;
    if (tier !== null && tier !== 'free' && tier !== 'essentials' && tier !== 'enterprise' && !isCustomRateLimit(tier)) {
      return c.json({ error: 'tier must be free, essentials, enterprise, { burst, perSecond } or null' }, 400);
    }
    faults.setRateLimitTier(tier ?? undefined);
    return c.json({ tier });
  });
}
