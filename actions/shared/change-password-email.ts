import type { EmailBudget } from './email-budget';
import { fail, succeed, type Outcome } from './outcome';
import { stepFailure } from './request-failure';

interface ChangePasswordEmailRequest {
  domain: string;
  clientId: string;
  email: string;
  connection: string;
}

/**
 * Asks Auth0 to send its own Change Password email (`POST /dbconnections/change_password`,
 * Authentication API; `auth0` v7 no longer exports an AuthenticationClient). Auth0 answers
 * 200 with a text body whether or not the user exists, so success means "accepted".
 * It does not work on connections with non-unique emails, and is limited to one request
 * per minute per IP and email.
 */
export async function requestChangePasswordEmail(request: ChangePasswordEmailRequest, budget: EmailBudget): Promise<Outcome<void>> {
  const work = async (): Promise<Outcome<void>> => {
    try {
      const response = await fetch(`https://${request.domain}/dbconnections/change_password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: request.clientId, email: request.email, connection: request.connection }),
        signal: budget.signal(),
      });
      // Drain the body so the connection is released.
      await response.text();
      return response.ok ? succeed(undefined) : fail(`change_password_http_${response.status}`);
    } catch (error) {
      return fail(stepFailure('change_password', error));
    }
  };
  return budget.race('change_password', work());
}
