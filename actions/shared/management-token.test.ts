import nock from 'nock';
import { ActionCacheStore } from '../../local-tenant/actions-runtime/action-cache';
import { EmailBudget } from './email-budget';
import { managementToken, managementTokenCacheKey, tokenCacheTtlMs } from './management-token';

// nock holds the jest worker's http module until restored (see test/support/intercept.ts).
afterAll(() => nock.restore());

const credentials = { domain: 'tenant.auth0.com', clientId: 'client-1', clientSecret: 'secret-1' };

afterEach(() => nock.cleanAll());

describe('tokenCacheTtlMs', () => {
  it('converts expires_in (seconds) to api.cache milliseconds, a minute early, at most 24 h', () => {
    expect(tokenCacheTtlMs(3600)).toBe(3_540_000);
    expect(tokenCacheTtlMs(86_400)).toBe(86_340_000);
    expect(tokenCacheTtlMs(7 * 86_400)).toBe(86_400_000);
    expect(tokenCacheTtlMs(30)).toBe(0);
  });
});

describe('managementToken', () => {
  it('requests a client-credentials token once and reuses it from api.cache', async () => {
    const scope = nock('https://tenant.auth0.com')
      .post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'client-1',
        client_secret: 'secret-1',
        audience: 'https://tenant.auth0.com/api/v2/',
      })
      .once()
      .reply(200, { access_token: 'token-1', expires_in: 86_400, token_type: 'Bearer' });
    let now = 1_000_000;
    const cache = new ActionCacheStore(() => now);
    const first = await managementToken(credentials, cache, new EmailBudget());
    expect(first).toEqual({ ok: true, value: 'token-1' });
    const entry = cache.get(managementTokenCacheKey('client-1'));
    expect(entry?.expires_at).toBe(now + 86_340_000);
    now += 86_000_000; // 23.9 hours later: still cached
    expect(await managementToken(credentials, cache, new EmailBudget())).toEqual({ ok: true, value: 'token-1' });
    expect(scope.isDone()).toBe(true);
  });

  it('asks again once the cached token is within a minute of expiry', async () => {
    nock('https://tenant.auth0.com').post('/oauth/token').twice().reply(200, { access_token: 't', expires_in: 120 });
    let now = 0;
    const cache = new ActionCacheStore(() => now);
    await managementToken(credentials, cache, new EmailBudget());
    now += 61_000;
    await managementToken(credentials, cache, new EmailBudget());
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    [401, { error: 'access_denied' }, 'token_http_401'],
    [200, { expires_in: 10 }, 'token_malformed'],
    [200, 'not json', 'token_malformed'],
  ])('reports status %s body %j as %s and caches nothing', async (status, body, reason) => {
    nock('https://tenant.auth0.com').post('/oauth/token').reply(status, body);
    const cache = new ActionCacheStore();
    expect(await managementToken(credentials, cache, new EmailBudget())).toEqual({ ok: false, reason });
    expect(cache.get(managementTokenCacheKey('client-1'))).toBeUndefined();
  });

  it('gives up when the budget runs out', async () => {
    nock('https://tenant.auth0.com').post('/oauth/token').delay(2_000).reply(200, { access_token: 't', expires_in: 60 });
    const started = Date.now();
    expect(await managementToken(credentials, new ActionCacheStore(), new EmailBudget(200))).toEqual({
      ok: false,
      reason: 'token_timeout',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
