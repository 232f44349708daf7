import { EMAIL_MESSAGE_TYPES, type Secrets } from './auth0-actions';

/**
 * Every Action secret this bundle reads, validated in this one module.
 *
 * A secret counts as missing when it is absent, blank, or still an unfilled deploy-cli
 * placeholder (`##NAME##` / `@@NAME@@`): auth0-deploy-cli strips placeholders it has no value
 * for, and a tenant may also hold the literal from a hand-made deploy.
 */

export type InviteMode = 'change_password' | 'ticket';
export const INVITE_MODES: readonly InviteMode[] = ['change_password', 'ticket'];

export const DEFAULT_INVITE_TTL_SEC = 604_800; // 7 days
export const DEFAULT_VERIFY_TTL_SEC = 432_000; // 5 days, Auth0's own default for verification links
/** Auth0 rejects ticket lifetimes above 30 days; a bounded lifetime is also a security property. */
export const MAX_TICKET_TTL_SEC = 2_592_000;

/** A setting a path needs: its value, or the names of the secrets that are missing or invalid. */
export type Needed<T> = { ok: true; value: T } | { ok: false; missing: string[] };

export interface ManagementCredentials {
  domain: string;
  clientId: string;
  clientSecret: string;
}

export interface MailSettings {
  apiKey: string;
  from: string;
}

/** `TEMPLATE_IDS`: per-locale SendGrid template ids, e.g. `{"welcome":{"fr":"d-..."}}`. */
export type TemplateKind = 'invite' | 'verify' | 'welcome';
export type TemplateOverrides = Partial<Record<TemplateKind, Record<string, string>>>;

export interface InviteSettings {
  /** Connections whose every user is invited, each with its own mode when one is given. */
  connections: ReadonlyMap<string, InviteMode | undefined>;
  defaultMode: InviteMode;
  changePassword: Needed<{ domain: string; clientId: string }>;
  management: Needed<ManagementCredentials>;
  ticket: Needed<{ clientId?: string; resultUrl?: string; ttlSec: number; appName?: string; templateId: string }>;
  mail: Needed<MailSettings>;
  templates: TemplateOverrides;
  /** Invalid values that were replaced by a default; logged so the operator can fix them. */
  problems: string[];
}

export interface VerifyWelcomeSettings {
  management: Needed<ManagementCredentials>;
  verify: Needed<{ templateId: string; ttlSec: number; resultUrl?: string }>;
  welcome: Needed<{ templateId: string }>;
  mail: Needed<MailSettings>;
  templates: TemplateOverrides;
  /** Users created before this instant get no welcome email (existing users, when the Action is first deployed). */
  welcomeSince?: Date;
  problems: string[];
}

const PLACEHOLDER = /^(##|@@)[A-Za-z0-9_]+(##|@@)$/;

export function readSecret(secrets: Secrets, name: string): string | undefined {
  const raw = secrets[name];
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  return value === '' || PLACEHOLDER.test(value) ? undefined : value;
}

/** `AUTH0_DOMAIN` as a host (and port): accepts `tenant.eu.auth0.com`, with or without `https://` and a trailing slash. */
export function normalizeDomain(value: string): string | undefined {
  const host = value.replace(/^https:\/\//i, '').replace(/\/+$/, '');
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) ? host : undefined;
}

function collect<T>(values: Record<string, string | undefined>, build: (v: Record<string, string>) => T): Needed<T> {
  const missing = Object.entries(values)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, value: build(values as Record<string, string>) };
}

function readManagement(secrets: Secrets, problems: string[]): Needed<ManagementCredentials> {
  const rawDomain = readSecret(secrets, 'AUTH0_DOMAIN');
  const domain = rawDomain === undefined ? undefined : normalizeDomain(rawDomain);
  if (rawDomain !== undefined && domain === undefined) problems.push('AUTH0_DOMAIN invalid');
  return collect(
    {
      AUTH0_DOMAIN: domain,
      AUTH0_CLIENT_ID: readSecret(secrets, 'AUTH0_CLIENT_ID'),
      AUTH0_CLIENT_SECRET: readSecret(secrets, 'AUTH0_CLIENT_SECRET'),
    },
    (v) => ({ domain: v.AUTH0_DOMAIN!, clientId: v.AUTH0_CLIENT_ID!, clientSecret: v.AUTH0_CLIENT_SECRET! }),
  );
}

function readMail(secrets: Secrets): Needed<MailSettings> {
  return collect({ SENDGRID_API_KEY: readSecret(secrets, 'SENDGRID_API_KEY'), MAIL_FROM: readSecret(secrets, 'MAIL_FROM') }, (v) => ({
    apiKey: v.SENDGRID_API_KEY!,
    from: v.MAIL_FROM!,
  }));
}

function readTtl(secrets: Secrets, name: string, fallback: number, problems: string[]): number {
  return ticketTtl(readSecret(secrets, name), fallback, name, problems);
}

/** A ticket lifetime in seconds: a whole number up to Auth0's 30 days; otherwise `<name> invalid` and the fallback. */
export function ticketTtl(raw: string | undefined, fallback: number, name: string, problems: string[]): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > MAX_TICKET_TTL_SEC) {
    problems.push(`${name} invalid`);
    return fallback;
  }
  return value;
}

function readUrl(secrets: Secrets, name: string, problems: string[]): string | undefined {
  const raw = readSecret(secrets, name);
  if (raw === undefined) return undefined;
  if (!isHttpUrl(raw)) {
    problems.push(`${name} invalid`);
    return undefined;
  }
  return raw;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export function readTemplateOverrides(secrets: Secrets, problems: string[]): TemplateOverrides {
  const raw = readSecret(secrets, 'TEMPLATE_IDS');
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('TEMPLATE_IDS invalid');
    return {};
  }
  if (!isRecord(parsed)) {
    problems.push('TEMPLATE_IDS invalid');
    return {};
  }
  const overrides: TemplateOverrides = {};
  for (const kind of ['invite', 'verify', 'welcome'] as const) {
    const perLocale = parsed[kind];
    if (perLocale === undefined) continue;
    if (!isRecord(perLocale)) {
      problems.push('TEMPLATE_IDS invalid');
      continue;
    }
    const ids: Record<string, string> = {};
    for (const [locale, id] of Object.entries(perLocale)) {
      if (typeof id === 'string' && id.trim() !== '') ids[locale.toLowerCase()] = id.trim();
      else problems.push('TEMPLATE_IDS invalid');
    }
    overrides[kind] = ids;
  }
  return overrides;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readInviteMode(raw: string | undefined, problems: string[], name: string): InviteMode | undefined {
  if (raw === undefined) return undefined;
  if ((INVITE_MODES as readonly string[]).includes(raw)) return raw as InviteMode;
  problems.push(`${name} invalid`);
  return undefined;
}

/**
 * `INVITE_CONNECTIONS`: comma-separated connection names, each optionally `name:mode`, e.g.
 * `members,shared-inbox:ticket`. Auth0 connection names cannot contain `:`, so the suffix is
 * unambiguous; it lets a tenant invite through change_password on one connection and through
 * tickets on a connection with non-unique emails, where change_password cannot work.
 */
export function parseInviteConnections(raw: string | undefined, problems: string[]): Map<string, InviteMode | undefined> {
  const connections = new Map<string, InviteMode | undefined>();
  if (raw === undefined) return connections;
  for (const entry of raw.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const [name = '', mode] = trimmed.split(':').map((part) => part.trim());
    if (name === '') {
      problems.push('INVITE_CONNECTIONS invalid');
      continue;
    }
    connections.set(name, readInviteMode(mode, problems, 'INVITE_CONNECTIONS'));
  }
  return connections;
}

export function readInviteSettings(secrets: Secrets): InviteSettings {
  const problems: string[] = [];
  const management = readManagement(secrets, problems);
  const clientId = readSecret(secrets, 'INVITE_CLIENT_ID');
  const resultUrl = readUrl(secrets, 'INVITE_RESULT_URL', problems);
  const templateId = readSecret(secrets, 'INVITE_TEMPLATE_ID');
  const ttlSec = readTtl(secrets, 'INVITE_TTL_SEC', DEFAULT_INVITE_TTL_SEC, problems);
  const appName = readSecret(secrets, 'INVITE_APP_NAME');

  const ticket: InviteSettings['ticket'] =
    templateId === undefined || (clientId === undefined && resultUrl === undefined)
      ? {
          ok: false,
          missing: [
            ...(templateId === undefined ? ['INVITE_TEMPLATE_ID'] : []),
            ...(clientId === undefined && resultUrl === undefined ? ['INVITE_CLIENT_ID or INVITE_RESULT_URL'] : []),
          ],
        }
      : { ok: true, value: { clientId, resultUrl: clientId === undefined ? resultUrl : undefined, ttlSec, appName, templateId } };

  return {
    connections: parseInviteConnections(readSecret(secrets, 'INVITE_CONNECTIONS'), problems),
    defaultMode: readInviteMode(readSecret(secrets, 'INVITE_MODE'), problems, 'INVITE_MODE') ?? 'change_password',
    changePassword: collect({ AUTH0_DOMAIN: domainOnly(secrets), INVITE_CLIENT_ID: clientId }, (v) => ({
      domain: v.AUTH0_DOMAIN!,
      clientId: v.INVITE_CLIENT_ID!,
    })),
    management,
    ticket,
    mail: readMail(secrets),
    templates: readTemplateOverrides(secrets, problems),
    problems,
  };
}

function domainOnly(secrets: Secrets): string | undefined {
  const raw = readSecret(secrets, 'AUTH0_DOMAIN');
  return raw === undefined ? undefined : normalizeDomain(raw);
}

export function readVerifyWelcomeSettings(secrets: Secrets): VerifyWelcomeSettings {
  const problems: string[] = [];
  const verifyTemplateId = readSecret(secrets, 'VERIFY_TEMPLATE_ID');
  const welcomeTemplateId = readSecret(secrets, 'WELCOME_TEMPLATE_ID');
  const resultUrl = readUrl(secrets, 'VERIFY_RESULT_URL', problems);
  const ttlSec = readTtl(secrets, 'VERIFY_TTL_SEC', DEFAULT_VERIFY_TTL_SEC, problems);
  const rawSince = readSecret(secrets, 'WELCOME_SINCE');
  let welcomeSince: Date | undefined;
  if (rawSince !== undefined) {
    const since = new Date(rawSince);
    if (Number.isNaN(since.getTime())) problems.push('WELCOME_SINCE invalid');
    else welcomeSince = since;
  }
  return {
    management: readManagement(secrets, problems),
    verify:
      verifyTemplateId === undefined
        ? { ok: false, missing: ['VERIFY_TEMPLATE_ID'] }
        : { ok: true, value: { templateId: verifyTemplateId, ttlSec, resultUrl } },
    welcome:
      welcomeTemplateId === undefined
        ? { ok: false, missing: ['WELCOME_TEMPLATE_ID'] }
        : { ok: true, value: { templateId: welcomeTemplateId } },
    mail: readMail(secrets),
    templates: readTemplateOverrides(secrets, problems),
    welcomeSince,
    problems,
  };
}

// ------------------------------------------------------------ password-reset-landing

export interface ResetLandingSettings {
  /** RESET_RESULT_URL: where a person lands after setting a password (the application). */
  resultUrl?: string;
  problems: string[];
}

export function readResetLandingSettings(secrets: Secrets): ResetLandingSettings {
  const problems: string[] = [];
  return { resultUrl: readUrl(secrets, 'RESET_RESULT_URL', problems), problems };
}

// ------------------------------------------------------------ custom-email-provider

/**
 * Where an email of one message type goes: `primary` is the address Auth0 chose
 * (`event.notification.to`); `secondary-if-verified` is `app_metadata.secondary_email` when
 * `app_metadata.secondary_email_verified` is exactly `true` and the address is plausible,
 * else the primary address.
 */
export type EmailRecipient = 'primary' | 'secondary-if-verified';
export const EMAIL_RECIPIENTS: readonly EmailRecipient[] = ['primary', 'secondary-if-verified'];

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

export interface CustomEmailSettings {
  /** The SendGrid API key every delivery needs. */
  sendgrid: Needed<{ apiKey: string }>;
  /** MAIL_FROM: the sender when Auth0's `notification.from` is not a usable address. */
  fallbackFrom?: string;
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
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('EMAIL_ROUTES invalid');
    return {};
  }
  if (!isRecord(parsed)) {
    problems.push('EMAIL_ROUTES invalid');
    return {};
  }
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
    sendgrid: apiKey === undefined ? { ok: false, missing: ['SENDGRID_API_KEY'] } : { ok: true, value: { apiKey } },
    fallbackFrom: readSecret(secrets, 'MAIL_FROM'),
    routes: parseEmailRoutes(readSecret(secrets, 'EMAIL_ROUTES'), problems),
    problems,
  };
}
