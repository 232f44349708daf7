import { ManagementTimeoutError } from 'auth0';
import { UsersClient } from 'auth0/users';
import nock from 'nock';
import { missingScopes, requestFailure, statusOf, stepFailure } from './request-failure';

// nock holds the jest worker's http module until restored (see test/support/intercept.ts).
afterAll(() => nock.restore());
afterEach(() => nock.cleanAll());

const domain = 'tenant.auth0.com';

/** What the real auth0 SDK throws for one `GET /api/v2/users/{id}`, Auth0 intercepted by nock. */
async function sdkError(answer: (scope: nock.Interceptor) => nock.Scope): Promise<unknown> {
  answer(nock(`https://${domain}`).get('/api/v2/users/auth0%7C1'));
  const users = new UsersClient({ baseUrl: `https://${domain}/api/v2`, token: 'token', maxRetries: 0, timeoutInSeconds: 5 });
  return users.get('auth0|1').then(
    () => {
      throw new Error('the SDK call succeeded');
    },
    (error: unknown) => error,
  );
}

/** What fetch throws (or a body read rejects with), Auth0 intercepted by nock. */
async function fetchError(signal?: AbortSignal): Promise<unknown> {
  nock(`https://${domain}`).post('/oauth/token').delay(200).reply(200, {});
  return fetch(`https://${domain}/oauth/token`, { method: 'POST', ...(signal !== undefined ? { signal } : {}) }).then(
    () => {
      throw new Error('the request succeeded');
    },
    (error: unknown) => error,
  );
}

describe('requestFailure and stepFailure: an auth0 SDK error', () => {
  it('a 403 insufficient_scope names the scopes Auth0 expects', async () => {
    const error = await sdkError((s) =>
      s.reply(403, {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope, expected any of: read:users, read:users_app_metadata',
        errorCode: 'insufficient_scope',
      }),
    );
    expect(missingScopes(error)).toBe('read:users,read:users_app_metadata');
    expect(requestFailure(error)).toBe('insufficient_scope:read:users,read:users_app_metadata');
    expect(stepFailure('user_read', error)).toBe('user_read_insufficient_scope:read:users,read:users_app_metadata');
  });

  it('another answer is its HTTP status', async () => {
    for (const status of [404, 429, 503]) {
      const error = await sdkError((s) => s.reply(status, { statusCode: status, error: 'Error', message: 'refused' }));
      expect(statusOf(error)).toBe(status);
      expect(missingScopes(error)).toBeUndefined();
      expect(requestFailure(error)).toBe(`http_${status}`);
      expect(stepFailure('ticket', error)).toBe(`ticket_http_${status}`);
    }
  });

  it("the SDK's own timeout is a time-out", () => {
    // What the SDK throws when its timeoutInSeconds passes (handleNonStatusCodeError, reason "timeout").
    const error = new ManagementTimeoutError('Timeout exceeded when calling GET /users/auth0|1.');
    expect(statusOf(error)).toBeUndefined();
    expect(requestFailure(error)).toBe('timeout');
    expect(stepFailure('ticket', error)).toBe('ticket_timeout');
  });

  it('a connection that fails is a network failure', async () => {
    const error = await sdkError((s) => s.replyWithError({ code: 'ECONNRESET', message: 'socket hang up' }));
    expect(requestFailure(error)).toBe('network');
    expect(stepFailure('user_update', error)).toBe('user_update_network');
  });
});

describe('requestFailure and stepFailure: a fetch error', () => {
  it('an AbortSignal.timeout is a time-out on both sides', async () => {
    const error = await fetchError(AbortSignal.timeout(20));
    expect(requestFailure(error)).toBe('timeout');
    expect(stepFailure('token', error)).toBe('token_timeout');
  });

  it('an abort is `aborted` for the scripts and a time-out for the Actions (their budget is what aborts)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await fetchError(controller.signal);
    expect(requestFailure(error)).toBe('aborted');
    expect(stepFailure('change_password', error)).toBe('change_password_timeout');
  });

  it('anything else is a network failure', () => {
    expect(requestFailure(new TypeError('fetch failed'))).toBe('network');
    expect(requestFailure(undefined)).toBe('network');
    expect(stepFailure('token', null)).toBe('token_network');
  });
});
