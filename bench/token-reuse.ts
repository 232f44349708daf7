import { ActionCacheStore } from '../local-tenant/actions-runtime/action-cache';
import type { ActionCache } from '../actions/shared/auth0-actions';
import { fakePostLoginApi, fakePostLoginEvent, fakeUser, fullSecrets } from '../test/support/action-fakes';
import { builtAction, handlerOf, loadFresh } from './built-actions';
import { withRecordedHttp } from './recorded-http';
import { ratioOf, type Figure, type Section } from './report';

/**
 * 5. Management API token requests of many executions sharing one `api.cache`, against the
 * caching of Auth0's own published sample on the same executions, the same cache and the same
 * clock. The built verify-and-welcome sends a verification email (token, ticket, send) for a
 * new unverified user on every execution.
 */

/** Auth0's default lifetime of a Management API token: 24 h. */
const TOKEN_LIFETIME_SEC = 86_400;

/**
 * Auth0's account-linking Action (docs-v2
 * main/docs/manage-users/user-accounts/user-account-linking/link-user-accounts.mdx, published at
 * https://auth0.com/docs/manage-users/user-accounts/user-account-linking/link-user-accounts)
 * caches its Management API token with `ttl: expiresIn - expiresIn * TTL_LEEWAY_FACTOR`,
 * TTL_LEEWAY_FACTOR = 0.2: `expires_in` is in seconds, `ttl` in milliseconds, so a 24 h token is
 * cached 69.12 s.
 */
export const AUTH0_SAMPLE_SOURCE = 'https://auth0.com/docs/manage-users/user-accounts/user-account-linking/link-user-accounts';
const AUTH0_SAMPLE_TTL_LEEWAY_FACTOR = 0.2;

function auth0SampleTtl(expiresInSec: number): number {
  return expiresInSec - expiresInSec * AUTH0_SAMPLE_TTL_LEEWAY_FACTOR;
}

/**
 * The sample's token step, its caching policy reproduced (not its code: the sample uses
 * `AuthenticationClient` of auth0@5; the same client-credentials request goes out here by fetch,
 * which is what the request count depends on).
 */
async function auth0SampleToken(cache: ActionCache, secrets: Record<string, string | undefined>): Promise<string | undefined> {
  const cacheKey = `mgmt-api-token-${secrets.AUTH0_CLIENT_ID}`;
  const cached = cache.get(cacheKey);
  if (cached?.value) return cached.value;
  const response = await fetch(`https://${secrets.AUTH0_DOMAIN}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: secrets.AUTH0_CLIENT_ID,
      client_secret: secrets.AUTH0_CLIENT_SECRET,
      audience: `https://${secrets.AUTH0_DOMAIN}/api/v2/`,
    }),
  });
  const { access_token: accessToken, expires_in: expiresIn } = (await response.json()) as { access_token?: string; expires_in: number };
  if (typeof accessToken === 'string') cache.set(cacheKey, accessToken, { ttl: auth0SampleTtl(expiresIn) });
  return accessToken;
}

/** Executions spread evenly over `spanSec` of simulated time. */
interface TokenSchedule {
  label: string;
  executions: number;
  spanSec: number;
}

function tokenSchedules(executions: number): TokenSchedule[] {
  return [
    // The last execution just before the token's renewal margin (one minute) ends its cache entry.
    { label: 'a day', executions, spanSec: TOKEN_LIFETIME_SEC - 120 },
    { label: 'a busy hour', executions, spanSec: 3600 },
  ];
}

interface TokenReuseRun {
  executions: number;
  tokenRequests: number;
  emailsSent: number;
  spanSec: number;
}

/** The built verify-and-welcome, every execution a verification email, one api.cache whose clock follows the schedule. */
async function runTokenReuse(schedule: TokenSchedule): Promise<TokenReuseRun> {
  const action = builtAction('verify-and-welcome');
  const loaded = loadFresh(action.code, { filename: `${action.name}/code.js`, dependencies: action.dependencies });
  const handler = handlerOf(loaded, action.trigger.id);
  let now = Date.now();
  const cache = new ActionCacheStore(() => now);
  const stepMs = Math.floor((schedule.spanSec * 1000) / Math.max(1, schedule.executions - 1));
  const started = now;
  return withRecordedHttp(async (http) => {
    let emailsSent = 0;
    http.token({ times: schedule.executions, expiresIn: TOKEN_LIFETIME_SEC }).sendgrid({ times: schedule.executions });
    for (let i = 0; i < schedule.executions; i++) http.verificationTicket();
    for (let i = 0; i < schedule.executions; i++) {
      if (i > 0) now += stepMs;
      const logs: string[] = [];
      const event = fakePostLoginEvent({ user: fakeUser({ user_id: `auth0|token-reuse-${i}` }) });
      await loaded.captureLogs(logs, () => handler(event, fakePostLoginApi(cache)));
      if (logs.some((line) => line.endsWith('verification_sent'))) emailsSent += 1;
    }
    return {
      executions: schedule.executions,
      tokenRequests: http.of('POST', '/oauth/token').length,
      emailsSent,
      spanSec: (now - started) / 1000,
    };
  });
}

/** Auth0's sample's token step on the same schedule, the same kind of cache and the same token answer. */
async function runAuth0SampleTokens(schedule: TokenSchedule): Promise<number> {
  let now = Date.now();
  const cache = new ActionCacheStore(() => now);
  const stepMs = Math.floor((schedule.spanSec * 1000) / Math.max(1, schedule.executions - 1));
  const secrets = fullSecrets();
  return withRecordedHttp(async (http) => {
    http.token({ times: schedule.executions, expiresIn: TOKEN_LIFETIME_SEC });
    for (let i = 0; i < schedule.executions; i++) {
      if (i > 0) now += stepMs;
      if ((await auth0SampleToken(cache, secrets)) === undefined) throw new Error('the sample got no token');
    }
    return http.of('POST', '/oauth/token').length;
  });
}

export async function measureTokenReuse(executions: number): Promise<Section> {
  const figures: Figure[] = [];
  for (const schedule of tokenSchedules(executions)) {
    const ours = await runTokenReuse(schedule);
    const sample = await runAuth0SampleTokens(schedule);
    const allSent = ours.emailsSent === ours.executions;
    const stepSec = schedule.spanSec / Math.max(1, schedule.executions - 1);
    figures.push({
      id: schedule.label === 'a day' ? 'token-reuse.shared-cache' : 'token-reuse.busy-hour',
      figure: `token requests, ${ours.executions} executions over ${schedule.label}, one api.cache`,
      measured: ours.tokenRequests,
      unit: '',
      counterpart: { label: "Auth0's account-linking sample, same executions", value: sample, unit: '' },
      ratio: ratioOf(ours.tokenRequests, sample),
      band: '= 1',
      verdict: ours.tokenRequests === 1 && allSent ? 'pass' : 'fail',
      note: `one execution every ${stepSec.toFixed(1)} s; the sample's entry lives ${(auth0SampleTtl(TOKEN_LIFETIME_SEC) / 1000).toFixed(2)} s; ${ours.emailsSent} of ${ours.executions} verification emails sent`,
    });
  }
  return {
    id: 'token-reuse',
    title: '5. Token requests across executions',
    method:
      `The built \`verify-and-welcome\` executed ${executions} times per schedule, each for a new unverified user (token, verification ticket, SendGrid send), all sharing one \`api.cache\` (the local tenant's \`ActionCacheStore\`, Auth0's limits) whose clock advances in equal steps over the schedule's span; the token answer says \`expires_in: ${TOKEN_LIFETIME_SEC}\` (Auth0's default). Token requests counted by nock at \`POST /oauth/token\`. ` +
      `Counterpart: the token caching of Auth0's own published account-linking Action (${AUTH0_SAMPLE_SOURCE}), which passes \`expires_in\` seconds minus 20 % as the millisecond \`ttl\` of \`api.cache.set\`, run on the same schedule, cache and token answer. Our Action caches for \`expires_in\` × 1000 less one minute, at most api.cache's 24 h.`,
    figures,
  };
}
