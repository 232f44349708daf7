import type { Metadata, Request, Transaction, User } from '../shared/auth0-actions';
import { emailLocale, templateIdFor } from '../shared/locale';
import type { ApplicationEmails, TemplateOverrides } from '../shared/settings';
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

interface LoginEmailChoice {
  templateId: string;
  locale: string;
  /** The verification link's landing page (verification only). */
  resultUrl?: string;
}

/**
 * How a login's email is worded, for the application the user logs in to: its own SendGrid
 * template (`client_metadata.email_verify_template` / `email_welcome_template`) when it names
 * one, else `TEMPLATE_IDS` for the locale, else the secret's template; its `verify_result_url`,
 * else VERIFY_RESULT_URL; the locale as `emailLocale` orders it, the application's after the user's.
 */
export function chooseLoginEmail(
  kind: 'verify' | 'welcome',
  defaults: { templateId: string; resultUrl?: string | undefined; overrides: TemplateOverrides },
  application: ApplicationEmails,
  from: { userMetadata?: Metadata; transaction?: Transaction | undefined; request?: Request | undefined },
): LoginEmailChoice {
  const locale = emailLocale(from.userMetadata, from.transaction, from.request, application.locale);
  const templateId = application.templates[kind] ?? templateIdFor(kind, locale, defaults.templateId, defaults.overrides);
  if (kind === 'welcome') return { templateId, locale };
  const resultUrl = application.resultUrl ?? defaults.resultUrl;
  return { templateId, locale, ...(resultUrl !== undefined ? { resultUrl } : {}) };
}
