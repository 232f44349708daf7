import type { User } from '../shared/auth0-actions';
import { awaitsAcceptance } from '../shared/invitation-record';

type EmailToSend = 'verification' | 'welcome' | 'none';

interface LoginEmailPlan {
  send: EmailToSend;
  email?: string;
  /** `app_metadata.invite` is cleared once the email is verified, so later resets read as resets. */
  clearInvite: boolean;
}

/**
 * Which email a login calls for, from the user alone: the verification email while the
 * address is unverified, the welcome email once it is verified, each once (the flags in
 * app_metadata are set only after SendGrid accepted the email). Flags count only when they
 * are exactly `true`. Users created before `welcomeSince` (if set) are not welcomed.
 */
export function planLoginEmail(user: User, welcomeSince?: Date): LoginEmailPlan {
  const appMetadata = user.app_metadata ?? {};
  const verified = user.email_verified === true;
  const clearInvite = verified && appMetadata.invite === true;
  const email = typeof user.email === 'string' && user.email.trim() !== '' ? user.email : undefined;
  if (email === undefined) return { send: 'none', clearInvite: false };
  if (!verified) {
    return { send: appMetadata.verification_email_sent === true ? 'none' : 'verification', email, clearInvite };
  }
  if (appMetadata.welcome_email_sent === true) return { send: 'none', email, clearInvite };
  if (welcomeSince !== undefined && !(new Date(user.created_at).getTime() >= welcomeSince.getTime())) {
    return { send: 'none', email, clearInvite };
  }
  return { send: 'welcome', email, clearInvite };
}

/**
 * True when a login calls for nothing whatever the secrets say: the email its state is due is
 * already sent, no invitation waits for its acceptance, and no invitation flag is left to clear (then `planLoginEmail` plans no email
 * and no change). That is every login after the first ones, so the handler checks it before
 * creating, reading or parsing anything else.
 */
export function loginNeedsNothing(user: User | undefined): boolean {
  const flags = user?.app_metadata;
  if (flags === undefined || flags === null) return false;
  // The first login after an invitation accepts it.
  if (awaitsAcceptance(flags)) return false;
  return user?.email_verified === true
    ? flags.welcome_email_sent === true && flags.invite !== true
    : flags.verification_email_sent === true;
}
