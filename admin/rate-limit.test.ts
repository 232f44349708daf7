import { ManagementClient } from 'auth0';
import { BOOTSTRAP, startTestTenant, tokenFor, trustingFetch } from '../local-tenant/test/helpers';
import type { LocalTenant } from '../local-tenant/server';
import { managementApiTimes, maxOverBudget } from '../test/support/rate-budget';
import { findUsersByUsername, MalformedAnswerError } from './find-user';
import { connectManagement } from './management';
import { isSafeToRepeat, parseRetryAfter, RateGovernor, type RateGovernorOptions } from './rate-limit';

/** The governor with the real auth0 SDK over HTTPS to the local tenant, whose rate limits and faults are injected. */
let tenant: LocalTenant;
beforeAll(async () => {
  tenant = await startTestTenant();
});
afterAll(async () => tenant.stop());
beforeEach(() => {
  tenant.faults.clear();
  tenant.faults.setRateLimitTier(undefined);
  tenant.requestLog.clear();
});

function client(options: RateGovernorOptions = {}): { sdk: ManagementClient; governor: RateGovernor; sentAt: number[] } {
  const governor = new RateGovernor({ backoffMs: 50, ...options });
  // When the governor let each Management API request go (what its own rate is about; the tenant's
  // log shows arrival times, which a busy machine bunches together).
  const sentAt: number[] = [];
  const inner = trustingFetch(tenant);
  const recording: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).includes('/api/v2/')) sentAt.push(Date.now());
    return inner(input, init);
  };
  const sdk = new ManagementClient({
    domain: tenant.domain,
    clientId: BOOTSTRAP.client_id,
    clientSecret: BOOTSTRAP.client_secret,
    fetch: governor.wrap(recording),
    maxRetries: 0,
    timeoutInSeconds: 60,
  });
  return { sdk, governor, sentAt };
}

const apiLog = () => tenant.requestLog.list().filter((r) => r.path.startsWith('/api/v2/'));

describe('RateGovernor', () => {
  it('keeps within a tenant limit it learns from x-ratelimit-* (no 429), close to its rate', async () => {
    const limit = { burst: 5, perSecond: 20 };
    tenant.faults.setRateLimitTier(limit);
    const { sdk, governor } = client({ concurrency: 4 });
    await Promise.all(Array.from({ length: 60 }, () => sdk.users.list({ per_page: 1 })));

    const log = apiLog();
    // Its pace as the tenant saw it: from the first call's arrival to the last's (not the token
    // request and the SDK's start, which a loaded machine stretches).
    const arrivals = managementApiTimes(log);
    const seconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    expect(log).toHaveLength(60);
    expect(log.filter((r) => r.status === 429)).toHaveLength(0);
    expect(governor.counters).toMatchObject({ requests: 60, rateLimited: 0, retries: 0, serverLimit: 5 });
    expect(maxOverBudget(managementApiTimes(log), limit.perSecond, limit.burst)).toBeLessThanOrEqual(0.5);
    // 55 requests after the burst at 20/s take 2.75 s at best; well under twice that.
    expect(seconds).toBeGreaterThanOrEqual(2.5);
    expect(seconds).toBeLessThan(5.5);
  });

  it("sends a request that needs the tenant's whole bucket before it has learned the tenant's pace (free tier: 2, 2/s)", async () => {
    // The first answer says 1 of 2 left, which tells nothing of the pace; a user creation in Action
    // mode costs 2 (the creation and the Action's call). It used to wait for a refill it never counted.
    tenant.faults.setRateLimitTier('free');
    const { sdk, governor } = client({ concurrency: 4 });
    await sdk.connections.list();
    const started = Date.now();
    await governor.withCost(2, () => sdk.users.list({ per_page: 1 }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(apiLog().filter((r) => r.status === 429)).toHaveLength(0);
  });

  it('learns the pace from x-ratelimit-remaining, not x-ratelimit-reset (the next token, as Auth0 documents it)', async () => {
    // A slow bucket (4/s): the time to the next token is at most 250 ms, rounded up to a whole
    // second by the header; read as "full again" it would say 4 tokens a second, read here as one.
    const limit = { burst: 4, perSecond: 4 };
    tenant.faults.setRateLimitTier(limit);
    const { sdk, governor } = client({ concurrency: 2 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 16 }, () => sdk.users.list({ per_page: 1 })));
    const seconds = (Date.now() - started) / 1000;
    expect(apiLog().filter((r) => r.status === 429)).toHaveLength(0);
    expect(governor.counters.rateLimited).toBe(0);
    expect(maxOverBudget(managementApiTimes(apiLog()), limit.perSecond, limit.burst)).toBeLessThanOrEqual(0.5);
    // 12 requests after the burst at 4/s take 3 s at best; at one token a second (the pace it
    // assumes until answers tell it) they would take 12 s.
    expect(seconds).toBeLessThan(6.5);
  });

  it("leaves the tenant's Actions the calls a creation owes them (withCost), after its answer too", async () => {
    // Each request run withCost(2) makes the "Action" call the Management API 300 ms after its
    // answer, outside the governor, as post-user-registration does after a creation's 201.
    const limit = { burst: 10, perSecond: 10 };
    tenant.faults.setRateLimitTier(limit);
    const token = await tokenFor(tenant);
    const direct = trustingFetch(tenant);
    // Owed for 800 ms after each answer: longer than the "Action" takes here.
    const { sdk, governor } = client({ concurrency: 4, actionLagMs: 800 });
    const actionStatuses: number[] = [];
    const actionCalls: Array<Promise<void>> = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 24 }, () =>
        governor.withCost(2, async () => {
          await sdk.users.list({ per_page: 1 });
          actionCalls.push(
            new Promise((resolve) => setTimeout(resolve, 300)).then(async () => {
              const answer = await direct(`https://${tenant.domain}/api/v2/users?per_page=1`, {
                headers: { authorization: `Bearer ${token}` },
              });
              await answer.arrayBuffer();
              actionStatuses.push(answer.status);
            }),
          );
        }),
      ),
    );
    await Promise.all(actionCalls);
    expect(actionStatuses).toHaveLength(24);
    expect(actionStatuses.filter((s) => s === 429)).toEqual([]);
    expect(governor.counters.rateLimited).toBe(0);
    // 48 tokens at 10/s after a burst of 10 take 3.8 s at best; at one token a second (before
    // the pace is learned) 38 s.
    expect((Date.now() - started) / 1000).toBeLessThan(10);
  });

  it('never goes above its own rate, whatever the tenant allows', async () => {
    const { sdk, sentAt } = client({ concurrency: 4, ratePerSecond: 10, burst: 2 });
    await Promise.all(Array.from({ length: 22 }, () => sdk.users.list({ per_page: 1 })));
    expect(sentAt).toHaveLength(22);
    expect(maxOverBudget(sentAt, 10, 2)).toBeLessThanOrEqual(0.5);
  });

  it('pauses every request until Retry-After after a 429, then sends the refused one again', async () => {
    tenant.faults.add({ route: 'GET /api/v2/users', kind: '429', times: 1, retryAfter: 1 });
    const { sdk, governor } = client({ concurrency: 4 });
    const pages = await Promise.all(Array.from({ length: 3 }, () => sdk.users.list({ per_page: 1 })));
    expect(pages).toHaveLength(3);
    const log = apiLog();
    const refused = log.find((r) => r.status === 429)!;
    const after = log.filter((r) => Date.parse(r.at) > Date.parse(refused.at));
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const r of after) expect(Date.parse(r.at) - Date.parse(refused.at)).toBeGreaterThanOrEqual(950);
    expect(governor.counters).toMatchObject({ rateLimited: 1, retries: 1, requests: 4 });
  });

  it('retries 5xx, resets and hangs of reads, with backoff', async () => {
    tenant.faults.add({ route: 'GET /api/v2/users', kind: '503', times: 2 });
    tenant.faults.add({ route: 'GET /api/v2/connections', kind: 'reset', times: 1 });
    tenant.faults.add({ route: 'GET /api/v2/clients', kind: 'hang', times: 1, hangMs: 10_000 });
    const { sdk, governor } = client({ requestTimeoutMs: 400 });
    await sdk.users.list({ per_page: 1 });
    await sdk.connections.list();
    await sdk.clients.list();
    expect(governor.counters).toMatchObject({ serverErrors: 2, networkErrors: 2, retries: 4, requests: 7 });
  });

  it('takes a 2xx whose JSON is cut short for a failure: a read is sent again, a lookup never reads it as "no user"', async () => {
    tenant.faults.add({ route: 'GET /api/v2/users', kind: 'malformed', times: 1 });
    const { sdk, governor } = client();
    const page = await sdk.users.list({ per_page: 1, include_totals: true });
    expect(Array.isArray((page.response as { users?: unknown }).users)).toBe(true);
    expect(governor.counters).toMatchObject({ malformedResponses: 1, retries: 1, requests: 2 });

    tenant.faults.add({ route: 'GET /api/v2/users', kind: 'malformed', times: 2 });
    const management = connectManagement({
      credentials: { domain: tenant.domain, clientId: BOOTSTRAP.client_id, clientSecret: BOOTSTRAP.client_secret },
      governor: new RateGovernor({ maxAttempts: 2, backoffMs: 10 }),
      fetch: trustingFetch(tenant),
    });
    await expect(findUsersByUsername(management, 'anyone')).rejects.toBeInstanceOf(MalformedAnswerError);
  });

  it('does not repeat a user creation that failed: the caller decides (Auth0 may have created it)', async () => {
    tenant.faults.add({ route: 'POST /api/v2/users', kind: '500', times: 1 });
    const { sdk, governor } = client();
    await expect(sdk.users.create({ connection: 'nope', email: 'x@example.com', password: 'x' })).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(governor.counters).toMatchObject({ serverErrors: 1, retries: 0, requests: 1 });
  });

  it('gives up after maxAttempts and hands the last answer to the SDK', async () => {
    tenant.faults.add({ route: 'GET /api/v2/users', kind: '503', times: 5 });
    const { sdk, governor } = client({ maxAttempts: 3 });
    await expect(sdk.users.list({ per_page: 1 })).rejects.toMatchObject({ statusCode: 503 });
    expect(governor.counters.requests).toBe(3);
  });

  it('stops waiting requests when its signal aborts', async () => {
    tenant.faults.add({ route: 'GET /api/v2/users', kind: '429', times: 1, retryAfter: 30 });
    const controller = new AbortController();
    const { sdk } = client({ signal: controller.signal });
    const pending = sdk.users.list({ per_page: 1 });
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await expect(pending).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('parseRetryAfter and isSafeToRepeat', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:03 GMT', 1000)).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('repeats reads, updates and tickets; never a user creation or a job', () => {
    expect(isSafeToRepeat('GET', '/api/v2/users')).toBe(true);
    expect(isSafeToRepeat('PATCH', '/api/v2/users/x')).toBe(true);
    expect(isSafeToRepeat('POST', '/api/v2/tickets/password-change')).toBe(true);
    expect(isSafeToRepeat('POST', '/api/v2/users')).toBe(false);
    expect(isSafeToRepeat('POST', '/api/v2/jobs/verification-email')).toBe(false);
  });
});
