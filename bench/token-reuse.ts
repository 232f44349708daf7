import { ActionCacheStore } from '../local-tenant/actions-runtime/action-cache';
import { fakePostLoginApi, fakePostLoginEvent, fakeUser } from '../test/support/action-fakes';
import { builtAction, handlerOf, loadFresh } from './built-actions';
import { withRecordedHttp } from './recorded-http';
import { ratioOf, type Section } from './report';

/**
 * 5. Management API token requests of many executions sharing one `api.cache` within one
 * token's lifetime. The built verify-and-welcome sends a verification email (token, ticket,
 * send) for a new unverified user on every execution; the cache's clock is moved across the
 * token's whole lifetime, so a cache entry that expires early would show as a second token.
 */

/** Auth0's default lifetime of a Management API token: 24 h. */
export const TOKEN_LIFETIME_SEC = 86_400;

export interface TokenReuseRun {
  executions: number;
  tokenRequests: number;
  emailsSent: number;
  /** Simulated time between the first and the last execution. */
  spanSec: number;
}

/**
 * `shared`: one api.cache for every execution (what Auth0 provides per trigger). Otherwise each
 * execution gets an empty cache: the naive counterpart, a token per execution.
 */
export async function runTokenReuse(executions: number, shared: boolean): Promise<TokenReuseRun> {
  const action = builtAction('verify-and-welcome');
  const loaded = loadFresh(action.code, { filename: `${action.name}/code.js`, dependencies: action.dependencies });
  const handler = handlerOf(loaded, action.trigger.id);
  let now = Date.now();
  const sharedCache = new ActionCacheStore(() => now);
  // Executions spread evenly over the token's lifetime, the last one just before it expires.
  const stepMs = Math.floor(((TOKEN_LIFETIME_SEC - 120) * 1000) / executions);
  const started = now;
  return withRecordedHttp(async (http) => {
    let emailsSent = 0;
    http.token({ times: executions, expiresIn: TOKEN_LIFETIME_SEC }).sendgrid({ times: executions });
    for (let i = 0; i < executions; i++) http.verificationTicket();
    for (let i = 0; i < executions; i++) {
      if (i > 0) now += stepMs;
      const cache = shared ? sharedCache : new ActionCacheStore(() => now);
      const logs: string[] = [];
      const event = fakePostLoginEvent({ user: fakeUser({ user_id: `auth0|token-reuse-${i}` }) });
      await loaded.captureLogs(logs, () => handler(event, fakePostLoginApi(cache)));
      if (logs.some((line) => line.endsWith('verification_sent'))) emailsSent += 1;
    }
    return { executions, tokenRequests: http.of('POST', '/oauth/token').length, emailsSent, spanSec: (now - started) / 1000 };
  });
}

export async function measureTokenReuse(executions: number, naiveExecutions: number): Promise<Section> {
  const shared = await runTokenReuse(executions, true);
  const naive = await runTokenReuse(naiveExecutions, false);
  const allSent = shared.emailsSent === shared.executions;
  return {
    id: 'token-reuse',
    title: '5. Token requests across executions',
    method: `The built \`verify-and-welcome\` executed ${shared.executions} times, each for a new unverified user (token, verification ticket, SendGrid send), all sharing one \`api.cache\` (the local tenant's \`ActionCacheStore\`, Auth0's limits) whose clock advances ${(shared.spanSec / 3600).toFixed(2)} h in equal steps, all within the time the token is cached (its ${TOKEN_LIFETIME_SEC / 3600} h lifetime less the one-minute renewal margin). Token requests counted by nock at \`POST /oauth/token\`. Naive counterpart, same run: ${naive.executions} executions each with an empty cache.`,
    figures: [
      {
        id: 'token-reuse.shared-cache',
        figure: `token requests, ${shared.executions} executions, one api.cache`,
        measured: shared.tokenRequests,
        unit: '',
        counterpart: { label: 'floor', value: 1, unit: '' },
        ratio: ratioOf(shared.tokenRequests, 1),
        band: '= 1',
        verdict: shared.tokenRequests === 1 && allSent ? 'pass' : 'fail',
        note: `${shared.emailsSent} of ${shared.executions} verification emails sent`,
      },
      {
        id: 'token-reuse.no-cache',
        figure: `token requests per execution, no shared cache (naive)`,
        measured: naive.tokenRequests / naive.executions,
        unit: '',
        counterpart: { label: 'with one api.cache', value: shared.tokenRequests / shared.executions, unit: '' },
        ratio: ratioOf(naive.tokenRequests / naive.executions, shared.tokenRequests / shared.executions),
        band: 'none',
        verdict: 'reported',
        note: `${naive.tokenRequests} tokens for ${naive.executions} executions`,
      },
    ],
  };
}
