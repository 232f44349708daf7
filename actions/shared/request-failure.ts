/**
 * The one classifier from a failed request to Auth0 (an `auth0` SDK error, or what fetch throws)
 * to a reason code that is safe to log. The Actions prefix it with their step and count an abort
 * as a time-out (stepFailure); the scripts and the deploy add their own cases in
 * admin/management.ts (failureReason). Every byte here is in each Action bundle.
 */

/**
 * The scopes a 403 `insufficient_scope` answer names (Auth0's body: `{ errorCode:
 * "insufficient_scope", message: "Insufficient scope, expected any of: a,b" }`), or undefined
 * for any other failure: the application's grant lacks one of them.
 */
export function missingScopes(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | null)?.body as { errorCode?: unknown; message?: unknown } | null | undefined;
  if (typeof body !== 'object' || body === null || body.errorCode !== 'insufficient_scope') return undefined;
  const listed = typeof body.message === 'string' ? /expected any of:\s*(.+)$/.exec(body.message)?.[1] : undefined;
  return listed === undefined ? 'unknown' : listed.replace(/\s+/g, '');
}

/** The HTTP status of an SDK error (auth0's ManagementError), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * `insufficient_scope:<scopes>`, `http_<status>`, `aborted` (an AbortController stopped it),
 * `timeout` (an AbortSignal.timeout, or the SDK's own timeout) or `network` (no answer). Names,
 * not instanceof: inside Auth0's (and our) vm sandbox, errors may come from another realm.
 */
export function requestFailure(error: unknown): string {
  const scopes = missingScopes(error);
  if (scopes !== undefined) return `insufficient_scope:${scopes}`;
  const status = statusOf(error);
  if (status !== undefined) return `http_${status}`;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') return 'aborted';
  return name === 'TimeoutError' || name === 'ManagementTimeoutError' ? 'timeout' : 'network';
}

/**
 * The Actions' reason code: `<step>_<requestFailure>`, an abort counted as a time-out (in an
 * Action, what aborts a request is its email budget).
 */
export function stepFailure(step: string, error: unknown): string {
  const reason = requestFailure(error);
  return `${step}_${reason === 'aborted' ? 'timeout' : reason}`;
}
