import type { EmailNotification, NotifiedUser } from '../shared/auth0-actions';
import { DEFAULT_EMAIL_ROUTES, type EmailRoute, type EmailRouteOverrides } from './settings';

/**
 * The pure decisions of the custom-email-provider Action: which route a message type takes,
 * which address receives it, who sends it, and whether a failed delivery is worth Auth0's
 * retry.
 */

/** A message type as it may appear in logs and SendGrid categories; anything unexpected is `other`. */
export function messageTypeLabel(messageType: unknown): string {
  return typeof messageType === 'string' && /^[a-z0-9_]{1,64}$/.test(messageType) ? messageType : 'other';
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * The route of a message type, field by field: the type's own `EMAIL_ROUTES` entry, else the
 * `*` entry, else the type's built-in default, else the built-in `*`.
 */
export function routeFor(messageType: string, overrides: EmailRouteOverrides): EmailRoute {
  const type = messageTypeLabel(messageType);
  const layers = [own(DEFAULT_EMAIL_ROUTES, '*'), own(DEFAULT_EMAIL_ROUTES, type), own(overrides, '*'), own(overrides, type)];
  const route: EmailRoute = { recipient: 'primary', categories: [], sandbox: false };
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer.recipient !== undefined) route.recipient = layer.recipient;
    if (layer.categories !== undefined) route.categories = [...layer.categories];
    if (layer.sandbox !== undefined) route.sandbox = layer.sandbox;
  }
  route.categories = route.categories.map((category) => category.split('{message_type}').join(type));
  return route;
}

/** An address SendGrid will take: one `@`, a dotted domain, no spaces or brackets, at most 254 characters. */
export function isPlausibleEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:".]+(\.[^\s@<>()[\],;:".]+)+$/.test(value);
}

/** Why a route to the secondary address fell back to the primary one (safe to log). */
type SecondaryFallback = 'no_user' | 'secondary_unset' | 'secondary_unverified' | 'secondary_invalid';

type DeliveryPlan =
  | { send: true; to: string; recipient: 'primary' | 'secondary'; route: EmailRoute; fallback?: SecondaryFallback }
  | { send: false; reason: 'no_recipient' | 'no_subject' | 'no_content' };

/**
 * Where the email goes. A route `secondary-if-verified` uses `app_metadata.secondary_email`
 * only when `app_metadata.secondary_email_verified` is exactly `true` (not "true", not 1) and
 * the address is plausible; otherwise the address Auth0 chose, `notification.to`.
 */
export function planDelivery(
  notification: EmailNotification | undefined,
  user: NotifiedUser | undefined,
  overrides: EmailRouteOverrides,
): DeliveryPlan {
  const route = routeFor(String(notification?.message_type ?? ''), overrides);
  if (typeof notification?.subject !== 'string' || notification.subject.trim() === '') return { send: false, reason: 'no_subject' };
  const hasHtml = typeof notification.html === 'string' && notification.html.trim() !== '';
  const hasText = typeof notification.text === 'string' && notification.text.trim() !== '';
  if (!hasHtml && !hasText) return { send: false, reason: 'no_content' };

  let fallback: SecondaryFallback | undefined;
  if (route.recipient === 'secondary-if-verified') {
    const appMetadata = user?.app_metadata;
    const secondary = appMetadata?.secondary_email;
    if (user === undefined || appMetadata === undefined || appMetadata === null) fallback = 'no_user';
    else if (secondary === undefined || secondary === null || secondary === '') fallback = 'secondary_unset';
    else if (appMetadata.secondary_email_verified !== true) fallback = 'secondary_unverified';
    else if (typeof secondary !== 'string' || !isPlausibleEmail(secondary.trim())) fallback = 'secondary_invalid';
    else return { send: true, to: secondary.trim(), recipient: 'secondary', route };
  }
  const primary = typeof notification.to === 'string' ? notification.to.trim() : '';
  if (!isPlausibleEmail(primary)) return { send: false, reason: 'no_recipient' };
  return { send: true, to: primary, recipient: 'primary', route, ...(fallback !== undefined ? { fallback } : {}) };
}

/**
 * The sender: Auth0's `notification.from` (the template's `from`, else the provider's
 * default address) when it is an address or `Name <address>`, else MAIL_FROM.
 */
export function senderFor(notificationFrom: unknown, fallback: string | undefined): string | undefined {
  for (const candidate of [notificationFrom, fallback]) {
    if (typeof candidate !== 'string') continue;
    const value = candidate.trim();
    const named = /^[^<>]*<([^<>]+)>$/.exec(value);
    if (isPlausibleEmail(named?.[1]?.trim() ?? value)) return value;
  }
  return undefined;
}

/**
 * What Auth0 should do after a failed delivery. SendGrid's 429, 408 and 5xx, timeouts and
 * network errors may heal within Auth0's retries; any other 4xx (bad request, bad or revoked
 * key, forbidden sender, payload too large) will not, so retrying would only repeat it.
 * Anything unexpected (a 2xx other than 202, a malformed answer) is retried: a duplicate email
 * is better than a lost password reset.
 */
export function failureDisposition(reason: string): 'retry' | 'drop' {
  const status = /^sendgrid_http_(\d{3})$/.exec(reason)?.[1];
  if (status === undefined) return 'retry';
  const code = Number(status);
  if (code === 408 || code === 429) return 'retry';
  return code >= 400 && code < 500 ? 'drop' : 'retry';
}
