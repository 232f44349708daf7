import { ManagementClient } from 'auth0';
import { EmailBudget } from '../actions/shared/email-budget';
import { missingScopes } from '../actions/shared/management-api';
import { requestManagementToken, tokenCacheTtlMs } from '../actions/shared/management-token';
import type { ManagementCredentials } from '../actions/shared/settings';
import { RateGovernor } from './rate-limit';

/**
 * The Management API as the scripts use it: the real `auth0` SDK, every request through the
 * rate governor's fetch (so the SDK's own retries are off), and one token by client credentials
 * shared by the SDK and the shared modules that build their own SDK clients (tickets).
 */
export interface AdminManagement {
  domain: string;
  client: ManagementClient;
  governor: RateGovernor;
  /** The governed fetch, for the shared modules' SDK clients (`ClientOptions.fetch`). */
  fetch: typeof fetch;
  /** A valid access token (requested once, renewed a minute before it expires). */
  token(): Promise<string>;
}

export interface AdminManagementOptions {
  credentials: ManagementCredentials;
  governor?: RateGovernor;
  /** The transport under the governor: global fetch, or one that trusts a local CA (tests). */
  fetch?: typeof fetch;
}

/**
 * The whole exchange of one request may include waiting for the rate limit (the governor bounds
 * each attempt). Kept to minutes, not an hour: auth0 v7 does not clear this timer when a fetch
 * rejects (reset, abort), so a long one keeps a library caller's process alive after its run.
 */
const SDK_TIMEOUT_SECONDS = 300;

export function connectManagement(options: AdminManagementOptions): AdminManagement {
  const base = options.fetch ?? fetch;
  const governor = options.governor ?? new RateGovernor();
  const governed = governor.wrap(base);
  const token = tokenSource(options.credentials, base);
  const client = new ManagementClient({
    domain: options.credentials.domain,
    token,
    fetch: governed,
    maxRetries: 0,
    timeoutInSeconds: SDK_TIMEOUT_SECONDS,
  });
  return { domain: options.credentials.domain, client, governor, fetch: governed, token };
}

export class ManagementTokenError extends Error {
  constructor(readonly reason: string) {
    super(
      `Cannot get a Management API token (${reason}).` +
        (reason === 'token_http_401' || reason === 'token_http_403'
          ? ' Check the client id and secret, and that the application is authorized for the Management API.'
          : ''),
    );
    this.name = 'ManagementTokenError';
  }
}

function tokenSource(credentials: ManagementCredentials, fetchImpl: typeof fetch): () => Promise<string> {
  let cached: { value: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const request = async (): Promise<string> => {
    const result = await requestManagementToken(credentials, new EmailBudget(30_000), fetchImpl);
    if (!result.ok) throw new ManagementTokenError(result.reason);
    cached = { value: result.value.accessToken, renewAt: Date.now() + tokenCacheTtlMs(result.value.expiresInSec) };
    return cached.value;
  };
  return async () => {
    if (cached !== undefined && Date.now() < cached.renewAt) return cached.value;
    pending ??= request().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** The HTTP status of an SDK error (auth0's ManagementError), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The one classifier from an `auth0` SDK (or fetch) error to the reason codes of the scripts
 * and the deploy, safe to log: `insufficient_scope:read:users` (the scripts' application lacks
 * that scope), `http_409`, `aborted`, `timeout`, `malformed_response`, `network`, or the
 * token's own. (The Actions keep a smaller version in actions/shared/management-api.ts, sharing
 * `missingScopes`: every byte there is in each Action bundle.)
 */
export function failureReason(error: unknown): string {
  const scopes = missingScopes(error);
  if (scopes !== undefined) return `insufficient_scope:${scopes}`;
  const status = statusOf(error);
  if (status !== undefined) return `http_${status}`;
  if (error instanceof ManagementTokenError) return error.reason;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') return 'aborted';
  if (name === 'TimeoutError' || name === 'ManagementTimeoutError') return 'timeout';
  if (error instanceof SyntaxError || name === 'MalformedAnswerError') return 'malformed_response';
  return 'network';
}

/** Auth0's error message from an SDK error body, for the report file (may quote the admin's input). */
export function errorMessage(error: unknown): string {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return error instanceof Error ? error.message : String(error);
}
