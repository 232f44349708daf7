import type { Metadata, Request, Transaction } from './auth0-actions';
import type { TemplateKind, TemplateOverrides } from './settings';

/** A BCP 47-ish tag such as `fr`, `pt-BR` or `zh-Hant-TW`; anything else is ignored. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** A language tag, normalized (`FR-ca` gives `fr-ca`), or undefined when the value is not one. */
export function languageTag(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const tag = value.trim();
  if (!LANGUAGE_TAG.test(tag)) return undefined;
  const [language = '', ...rest] = tag.split('-');
  return [language.toLowerCase(), ...rest].join('-');
}

/** The first tag of an Accept-Language value, reduced to its language: `fr-CA,fr;q=0.9` gives `fr`. */
function firstLanguage(acceptLanguage: string | undefined): string | undefined {
  const first = acceptLanguage?.split(',')[0]?.split(';')[0];
  return languageTag(first)?.split('-')[0];
}

/**
 * The locale of an email: the user's own choice (`user_metadata.locale`), then the application's
 * (`client_metadata.email_locale`), then the login transaction's, then the browser's first
 * language, then English. The application's comes before the transaction's because Auth0 always
 * fills `transaction.locale` (the tenant's default when nothing else matched).
 */
export function emailLocale(
  userMetadata: Metadata | undefined,
  transaction: Transaction | undefined,
  request: Request | undefined,
  applicationLocale?: string,
): string {
  return (
    languageTag(userMetadata?.locale) ??
    languageTag(applicationLocale) ??
    languageTag(transaction?.locale) ??
    firstLanguage(request?.language) ??
    'en'
  );
}

/** The SendGrid template for a locale: an exact `TEMPLATE_IDS` match, then its language, then the default. */
export function templateIdFor(kind: TemplateKind, locale: string, defaultId: string, overrides: TemplateOverrides): string {
  const perLocale = overrides[kind];
  if (perLocale === undefined) return defaultId;
  const lower = locale.toLowerCase();
  return perLocale[lower] ?? perLocale[lower.split('-')[0] ?? lower] ?? defaultId;
}
