import type { ManagementClient } from 'auth0';
import { EmailBudget } from '../actions/shared/email-budget';
import { requestManagementToken, tokenCacheTtlMs } from '../actions/shared/management-token';
import { requestFailure } from '../actions/shared/request-failure';
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
  token: () => Promise<string>;
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
  // Loaded here, not with this module: the SDK is ~600 modules (~0.4 s), and a command's --help,
  // its usage errors and the modules that only name these types need none of it.
  const { ManagementClient } = require('auth0') as typeof import('auth0');
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

/**
 * The reason codes of the scripts and the deploy, safe to log: the shared classifier's
 * (requestFailure of actions/shared/request-failure.ts: `insufficient_scope:read:users`,
 * `http_409`, `aborted`, `timeout`, `network`), the token's own (`token_http_401`, ...), and
 * `malformed_response` for an answer that is not what Auth0 sends.
 */
export function failureReason(error: unknown): string {
  if (error instanceof ManagementTokenError) return error.reason;
  if (error instanceof SyntaxError || (error as { name?: unknown } | null)?.name === 'MalformedAnswerError') return 'malformed_response';
  return requestFailure(error);
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
