import { EMAIL_MESSAGE_TYPES, type Secrets } from '../shared/auth0-actions';
import { collect, isRecord, parseJsonObject, readSecret, type Needed } from '../shared/settings';

/** custom-email-provider's secrets: SendGrid, the sender, and where each message type goes. */

/**
 * Where an email of one message type goes: `primary` is the address Auth0 chose
 * (`event.notification.to`); `secondary-if-verified` is `app_metadata.secondary_email` when
 * `app_metadata.secondary_email_verified` is exactly `true` and the address is plausible,
 * else the primary address.
 */
export type EmailRecipient = 'primary' | 'secondary-if-verified';
const EMAIL_RECIPIENTS: readonly EmailRecipient[] = ['primary', 'secondary-if-verified'];

/** How one message type is delivered with SendGrid. */
export interface EmailRoute {
  recipient: EmailRecipient;
  /** SendGrid categories (at most 10); `{message_type}` stands for the message type. */
  categories: string[];
  /** SendGrid sandbox mode: validated by SendGrid, never delivered. */
  sandbox: boolean;
}

/** `EMAIL_ROUTES`: per message type (or `*` for every type), the fields that differ from the defaults. */
export type EmailRouteOverrides = Record<string, Partial<EmailRoute>>;

/**
 * The built-in routes. The password-reset emails of Auth0 (`reset_email`, the link, and
 * `reset_email_by_code`, the code) go to a verified secondary address; everything else to the
 * address Auth0 chose. Auth0 has no `change_password` email message type (that is a legacy
 * template name, and a custom-phone-provider message type).
 */
export const DEFAULT_EMAIL_ROUTES: Readonly<Record<string, Readonly<Partial<EmailRoute>>>> = {
  '*': { recipient: 'primary', categories: ['auth0', '{message_type}'], sandbox: false },
  reset_email: { recipient: 'secondary-if-verified' },
  reset_email_by_code: { recipient: 'secondary-if-verified' },
};

const MAX_SENDGRID_CATEGORIES = 10;
const MAX_CATEGORY_LENGTH = 255;
const ROUTE_KEY = /^[a-z0-9_]{1,64}$/;

interface CustomEmailSettings {
  /** The SendGrid API key every delivery needs. */
  sendgrid: Needed<{ apiKey: string }>;
  /** MAIL_FROM: the sender when Auth0's `notification.from` is not a usable address. */
  fallbackFrom: string | undefined;
  routes: EmailRouteOverrides;
  problems: string[];
}

/**
 * `EMAIL_ROUTES`, e.g. `{"reset_email":{"recipient":"secondary-if-verified","categories":["reset"]},
 * "*":{"sandbox":false}}`. Keys are Auth0's documented message types or `*`. Anything invalid
 * is reported and left out, so that its default applies: a typo never sends a reset email to
 * an unverified address, because the default for a type that is not listed is the primary
 * address (and the secondary address is used only once verified anyway).
 */
export function parseEmailRoutes(raw: string | undefined, problems: string[]): EmailRouteOverrides {
  const parsed = parseJsonObject(raw, 'EMAIL_ROUTES', problems);
  if (parsed === undefined) return {};
  const routes: EmailRouteOverrides = {};
  for (const [key, entry] of Object.entries(parsed)) {
    const name = ROUTE_KEY.test(key) ? key : '(key)';
    if (key !== '*' && !(EMAIL_MESSAGE_TYPES as readonly string[]).includes(key)) {
      problems.push(`EMAIL_ROUTES.${name} unknown_message_type`);
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(`EMAIL_ROUTES.${name} invalid`);
      continue;
    }
    const route: Partial<EmailRoute> = {};
    for (const [field, value] of Object.entries(entry)) {
      if (field === 'recipient') {
        if ((EMAIL_RECIPIENTS as readonly unknown[]).includes(value)) route.recipient = value as EmailRecipient;
        else problems.push(`EMAIL_ROUTES.${name}.recipient invalid`);
      } else if (field === 'categories') {
        const categories = readCategories(value);
        if (categories === undefined) problems.push(`EMAIL_ROUTES.${name}.categories invalid`);
        else route.categories = categories;
      } else if (field === 'sandbox') {
        if (typeof value === 'boolean') route.sandbox = value;
        else problems.push(`EMAIL_ROUTES.${name}.sandbox invalid`);
      } else {
        problems.push(`EMAIL_ROUTES.${name} unknown_field=${ROUTE_KEY.test(field) ? field : '(field)'}`);
      }
    }
    routes[key] = route;
  }
  return routes;
}

function readCategories(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_SENDGRID_CATEGORIES) return undefined;
  const categories = value.map((c) => (typeof c === 'string' ? c.trim() : ''));
  return categories.every((c) => c !== '' && c.length <= MAX_CATEGORY_LENGTH) ? categories : undefined;
}

export function readCustomEmailSettings(secrets: Secrets): CustomEmailSettings {
  const problems: string[] = [];
  const apiKey = readSecret(secrets, 'SENDGRID_API_KEY');
  return {
    sendgrid: collect({ SENDGRID_API_KEY: apiKey }, (v) => ({ apiKey: v.SENDGRID_API_KEY! })),
    fallbackFrom: readSecret(secrets, 'MAIL_FROM'),
    routes: parseEmailRoutes(readSecret(secrets, 'EMAIL_ROUTES'), problems),
    problems,
  };
}
