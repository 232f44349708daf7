import type { ClientsClient } from 'auth0/clients';
import type { TicketsClient } from 'auth0/tickets';
import type { UsersClient } from 'auth0/users';
import type { EmailBudget } from './email-budget';
import { fail, succeed, type Outcome } from './outcome';
import { stepFailure } from './request-failure';

/**
 * The Management API calls the Actions make, through the `auth0` SDK (a declared dependency
 * of each Action, never bundled). The SDK is required lazily, per sub-path: an execution
 * that sends nothing never loads it, and `auth0/tickets` loads in about half the time of
 * the whole `auth0` package.
 */

export interface ClientOptions {
  domain: string;
  token: string;
  budget: EmailBudget;
  /**
   * The fetch the SDK uses; the global one when unset (Actions). The admin scripts pass theirs,
   * which paces requests by the tenant's rate limit and may trust the local tenant's certificate.
   */
  fetch?: typeof fetch | undefined;
}

function sdkOptions({ domain, token, budget, fetch }: ClientOptions) {
  return {
    baseUrl: `https://${domain}/api/v2`,
    token,
    // Retries (429 with Retry-After, 5xx) could outlast the execution's budget: a failed
    // email is retried on the next login instead. The admin scripts retry in their fetch.
    maxRetries: 0,
    timeoutInSeconds: Math.max(1, Math.ceil(budget.remainingMs() / 1000)),
    ...(fetch !== undefined ? { fetch } : {}),
  };
}

function requestOptions(budget: EmailBudget) {
  return { abortSignal: budget.signal(), maxRetries: 0 };
}

/**
 * The Actions' reason code for an SDK failure (stepFailure): `<step>_insufficient_scope:<scopes>`,
 * `<step>_http_<status>` (a 429 with how long it asks to wait), `<step>_timeout` or `<step>_network`.
 */
function sdkFailure(step: string, error: unknown, budget: EmailBudget): Outcome<never> {
  // When the budget's signal aborts the request, auth0 v7 throws a plain ManagementError ("The user
  // aborted a request"), without a status: a spent budget is what tells a time-out from a network error.
  const reason = budget.remainingMs() === 0 ? `${step}_timeout` : stepFailure(step, error);
  return fail(reason, reason === `${step}_http_429` ? waitAfter429(error) : undefined);
}

/** One SDK call within the budget: its outcome, or the reason code of its failure (sdkFailure). */
function sdkCall<T>(step: string, options: ClientOptions, call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const work = async (): Promise<Outcome<T>> => {
    try {
      return await call();
    } catch (error) {
      return sdkFailure(step, error, options.budget);
    }
  };
  return options.budget.race(step, work());
}

/**
 * How long a 429 asks to wait, in ms: `Retry-After` (seconds), else `x-ratelimit-reset` (epoch
 * seconds of the next request added to the bucket, docs-v2 rate-limit-use-cases.mdx).
 */
function waitAfter429(error: unknown): number | undefined {
  const headers = (error as { rawResponse?: { headers?: Headers } } | null)?.rawResponse?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const retryAfter = Number(headers.get('retry-after') ?? NaN);
  if (retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(headers.get('x-ratelimit-reset') ?? NaN);
  return reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined;
}

function ticketUrl(step: string, response: unknown): Outcome<string> {
  const ticket = (response as { ticket?: unknown } | null)?.ticket;
  if (typeof ticket !== 'string' || !/^https?:\/\//.test(ticket)) return fail(`${step}_malformed`);
  return succeed(ticket);
}

/** One tickets endpoint call within the budget; the ticket URL or a reason code. */
function ticketCall(options: ClientOptions, call: (tickets: TicketsClient) => Promise<unknown>): Promise<Outcome<string>> {
  return sdkCall('ticket', options, async () => {
    const { TicketsClient: Tickets } = require('auth0/tickets') as { TicketsClient: typeof TicketsClient };
    return ticketUrl('ticket', await call(new Tickets(sdkOptions(options))));
  });
}

/**
 * Where Auth0's page sends the user once the password is set: the login application (its login
 * route) or a URL. Auth0 rejects a request with both.
 */
export type TicketReturn = { clientId: string } | { resultUrl: string };

/** A ticket emailed to its user (an invitation, a verification email): the tenant, the user, the template. */
export interface TicketEmail {
  domain: string;
  token: string;
  user: { userId: string; email: string; username?: string | undefined };
  locale: string;
  templateId: string;
  /** SendGrid custom_args, e.g. the user id (never personal data). */
  customArgs?: Record<string, string> | undefined;
  /** The fetch for the Management API call (see ClientOptions.fetch). */
  fetch?: typeof fetch | undefined;
}

type PasswordChangeTicketRequest = TicketReturn & {
  userId: string;
  ttlSec: number;
  markEmailAsVerified: boolean;
};

export function createPasswordChangeTicket(options: ClientOptions, request: PasswordChangeTicketRequest): Promise<Outcome<string>> {
  return ticketCall(options, (tickets) =>
    tickets.changePassword(
      {
        user_id: request.userId,
        ...('clientId' in request ? { client_id: request.clientId } : { result_url: request.resultUrl }),
        ttl_sec: request.ttlSec,
        mark_email_as_verified: request.markEmailAsVerified,
        includeEmailInRedirect: false,
      },
      requestOptions(options.budget),
    ),
  );
}

interface EmailVerificationTicketRequest {
  userId: string;
  resultUrl?: string | undefined;
  ttlSec: number;
}

export function createEmailVerificationTicket(options: ClientOptions, request: EmailVerificationTicketRequest): Promise<Outcome<string>> {
  return ticketCall(options, (tickets) =>
    tickets.verifyEmail(
      {
        user_id: request.userId,
        ...(request.resultUrl !== undefined ? { result_url: request.resultUrl } : {}),
        ttl_sec: request.ttlSec,
        includeEmailInRedirect: false,
      },
      requestOptions(options.budget),
    ),
  );
}

/** `PATCH /api/v2/users/{id}` with app_metadata, which Auth0 merges one level deep. */
export function updateAppMetadata(options: ClientOptions, userId: string, appMetadata: Record<string, unknown>): Promise<Outcome<void>> {
  return sdkCall('user_update', options, async () => {
    const { UsersClient: Users } = require('auth0/users') as { UsersClient: typeof UsersClient };
    const updated = await new Users(sdkOptions(options)).update(userId, { app_metadata: appMetadata }, requestOptions(options.budget));
    // auth0 v7 resolves a 200 whose body is not JSON with a parse-failure object instead of throwing:
    // only a user in the answer confirms the update (the invitation's wording depends on it).
    if (typeof (updated as { user_id?: unknown } | null)?.user_id !== 'string') return fail('user_update_malformed');
    return succeed(undefined);
  });
}

/** An application as the invitation Action reads it: its name and client_metadata. */
export interface ApplicationRecord {
  name?: string;
  client_metadata?: Record<string, unknown>;
}

/**
 * `GET /api/v2/clients/{id}?fields=name,client_metadata` (scope `read:clients`): the application
 * an invitation is for. post-user-registration has no `event.client`, so this is the one way to
 * read its client_metadata; the Action caches the answer (see invite-on-registration).
 */
export function getApplication(options: ClientOptions, clientId: string): Promise<Outcome<ApplicationRecord>> {
  return sdkCall('client_read', options, async () => {
    const { ClientsClient: Clients } = require('auth0/clients') as { ClientsClient: typeof ClientsClient };
    // Only the fields asked for; the Action reads them as optional.
    const fields = { fields: 'name,client_metadata', include_fields: true };
    return succeed((await new Clients(sdkOptions(options)).get(clientId, fields, requestOptions(options.budget))) as ApplicationRecord);
  });
}
