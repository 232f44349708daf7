import { EmailBudget } from '../actions/shared/email-budget';
import { updateAppMetadata } from '../actions/shared/management-api';
import { isEmail } from './csv-rows';
import type { FoundUser } from './find-user';
import type { AdminManagement } from './management';

/**
 * A user's secondary address lives in `app_metadata.secondary_email`, which only the Management
 * API (administrators, Actions) can write. Not in user_metadata: the user can edit that one, so
 * whoever holds a session could point password resets at an address of their own.
 *
 * `app_metadata.secondary_email_verified` says whether the address is known to reach the
 * user; the custom-email-provider Action uses the address for self-service resets only when it
 * is exactly `true`. It is written with every change of the address, so an old `true` never
 * carries over to a new address: `true` only when the administrator says so (`--verified`,
 * e.g. after confirming it with the user), else `false`.
 */
export class SecondaryEmailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecondaryEmailError';
  }
}

export interface SecondaryEmailChange {
  /** The new address, or null to remove it. */
  email: string | null;
  verified: boolean;
}

/** What is wrong with a secondary address on its own (before any user is looked up), or undefined; the message names no address. */
export function secondaryEmailProblem(email: string): string | undefined {
  return isEmail(email) ? undefined : 'The secondary email is not a valid address.';
}

export async function setSecondaryEmail(management: AdminManagement, user: FoundUser, change: SecondaryEmailChange): Promise<void> {
  if (change.email !== null) {
    const problem = secondaryEmailProblem(change.email);
    if (problem !== undefined) throw new SecondaryEmailError(problem);
    if (user.email !== undefined && user.email.toLowerCase() === change.email.toLowerCase()) {
      throw new SecondaryEmailError('The secondary email is the same as the login email.');
    }
  }
  const appMetadata =
    change.email === null
      ? { secondary_email: null, secondary_email_verified: null }
      : { secondary_email: change.email, secondary_email_verified: change.verified };
  const updated = await updateAppMetadata(
    { domain: management.domain, token: await management.token(), budget: new EmailBudget(120_000), fetch: management.fetch },
    user.user_id,
    appMetadata,
  );
  if (!updated.ok) throw new SecondaryEmailError(`The Management API refused the update (${updated.reason}).`);
}

/** The secondary address of a user, when it is a plausible address. */
export function secondaryEmailOf(user: FoundUser): { email: string; verified: boolean } | undefined {
  const email = user.app_metadata.secondary_email;
  if (typeof email !== 'string' || !isEmail(email)) return undefined;
  return { email, verified: user.app_metadata.secondary_email_verified === true };
}
