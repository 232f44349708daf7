import type { ActionCache } from './auth0-actions';
import type { EmailBudget } from './email-budget';
import { fail, succeed, type Outcome } from './outcome';
import { stepFailure } from './request-failure';
import type { ManagementCredentials } from './settings';

/** Renew this long before Auth0's expiry, so a token never expires between cache read and use. */
const EXPIRY_MARGIN_MS = 60_000;
/** `api.cache` keeps an entry 24 h at most. */
const CACHE_MAX_TTL_MS = 86_400_000;

export function managementTokenCacheKey(clientId: string): string {
  // api.cache keys are limited to 64 bytes; Auth0 client ids are 32 characters.
  return `mgmt-token:${clientId}`.slice(0, 64);
}

/**
 * How long to cache a token Auth0 says lives `expiresInSec` seconds: `api.cache` takes
 * MILLISECONDS, `expires_in` is in seconds. (Auth0's own account-linking sample passes
 * seconds as ms and so caches a 24 h token for ~69 s.)
 */
export function tokenCacheTtlMs(expiresInSec: number): number {
  return Math.min(CACHE_MAX_TTL_MS, Math.max(0, expiresInSec * 1000 - EXPIRY_MARGIN_MS));
}

/**
 * A Management API access token by client credentials, reused through `api.cache` across
 * executions until shortly before it expires. Returns a reason code on failure.
 */
export async function managementToken(
  credentials: ManagementCredentials,
  cache: ActionCache,
  budget: EmailBudget,
): Promise<Outcome<string>> {
  const key = managementTokenCacheKey(credentials.clientId);
  const cached = cache.get(key);
  // The cache drops expired entries itself; its ttl already ends a minute before the token does.
  if (cached !== undefined && cached.value !== '') return succeed(cached.value);

  const requested = await budget.race('token', requestManagementToken(credentials, budget));
  if (!requested.ok) return requested;
  const { accessToken, expiresInSec } = requested.value;
  const ttl = tokenCacheTtlMs(expiresInSec);
  if (ttl > 0) {
    // A failed cache write (too large, too many entries) only costs a token request next time.
    cache.set(key, accessToken, { ttl });
  }
  return succeed(accessToken);
}

/** Client credentials at `POST https://{domain}/oauth/token`; `fetchImpl` lets the admin scripts trust a local CA. */
export async function requestManagementToken(
  credentials: ManagementCredentials,
  budget: EmailBudget,
  fetchImpl: typeof fetch = fetch,
): Promise<Outcome<{ accessToken: string; expiresInSec: number }>> {
  let response: Response;
  try {
    response = await fetchImpl(`https://${credentials.domain}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        audience: `https://${credentials.domain}/api/v2/`,
      }),
      signal: budget.signal(),
    });
  } catch (error) {
    return fail(stepFailure('token', error));
  }
  if (response.status !== 200) return fail(`token_http_${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    // Cut short by the budget, or not the JSON Auth0 answers.
    const reason = stepFailure('token', error);
    return fail(reason === 'token_timeout' ? reason : 'token_malformed');
  }
  const { access_token: accessToken, expires_in: expiresInSec } = (body ?? {}) as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresInSec !== 'number') {
    return fail('token_malformed');
  }
  return succeed({ accessToken, expiresInSec });
}
