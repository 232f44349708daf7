import type { Secrets } from './auth0-actions';
import { languageTag } from './locale';

/**
 * What every settings reader shares, the Actions' (actions/<name>/settings.ts) and the
 * administrator scripts' (admin/admin-config.ts): a secret's value, the secrets several Actions
 * read (the Management API application, SendGrid, ticket lifetimes, template overrides), and
 * the one way to say what a path needs: `Needed` (this value, or the names missing), `collect`
 * (values that are all needed; a name like `A or B` for one of several), and `allNeeded` (every
 * setting a path needs, or every missing name at once).
 *
 * A secret counts as missing when it is absent, blank, or still an unfilled deploy-cli
 * placeholder (`##NAME##` / `@@NAME@@`): auth0-deploy-cli strips placeholders it has no value
 * for, and a tenant may also hold the literal from a hand-made deploy.
 */

/** Auth0 rejects ticket lifetimes above 30 days; a bounded lifetime is also a security property. */
export const MAX_TICKET_TTL_SEC = 2_592_000;

/** A setting a path needs: its value, or the names of the secrets that are missing or invalid. */
export type Needed<T> = { ok: true; value: T } | { ok: false; missing: string[] };

/** The value a Needed holds when it is there. */
export type NeededValue<N> = N extends { ok: true; value: infer V } ? V : never;

/** Every setting a path needs, each with its value; or every name missing among them, each once. */
export function allNeeded<const T extends Record<string, Needed<unknown>>>(needs: T): Needed<{ [K in keyof T]: NeededValue<T[K]> }> {
  const missing = [...new Set(Object.values(needs).flatMap((need) => (need.ok ? [] : need.missing)))];
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    value: Object.fromEntries(Object.entries(needs).map(([key, need]) => [key, need.ok ? need.value : undefined])) as {
      [K in keyof T]: NeededValue<T[K]>;
    },
  };
}

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

/**
 * Needed<T> from named values that are all needed: `build` makes the value when none is missing,
 * else every missing name is given. A name like `A or B` stands for a value one of several gives.
 */
export function collect<T>(values: Record<string, string | undefined>, build: (v: Record<string, string>) => T): Needed<T> {
  const missing = Object.entries(values)
    .filter(([, v]) => v === undefined)
    .map(([k]) => k);
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, value: build(values as Record<string, string>) };
}

/** `AUTH0_DOMAIN` as a host: undefined when absent, or when invalid (`AUTH0_DOMAIN invalid` in `problems`). */
export function readDomain(secrets: Secrets, problems: string[]): string | undefined {
  const rawDomain = readSecret(secrets, 'AUTH0_DOMAIN');
  const domain = rawDomain === undefined ? undefined : normalizeDomain(rawDomain);
  if (rawDomain !== undefined && domain === undefined) problems.push('AUTH0_DOMAIN invalid');
  return domain;
}

export function readManagement(secrets: Secrets, problems: string[]): Needed<ManagementCredentials> {
  return collect(
    {
      AUTH0_DOMAIN: readDomain(secrets, problems),
      AUTH0_CLIENT_ID: readSecret(secrets, 'AUTH0_CLIENT_ID'),
      AUTH0_CLIENT_SECRET: readSecret(secrets, 'AUTH0_CLIENT_SECRET'),
    },
    (v) => ({ domain: v.AUTH0_DOMAIN!, clientId: v.AUTH0_CLIENT_ID!, clientSecret: v.AUTH0_CLIENT_SECRET! }),
  );
}

export function readMail(secrets: Secrets): Needed<MailSettings> {
  return collect({ SENDGRID_API_KEY: readSecret(secrets, 'SENDGRID_API_KEY'), MAIL_FROM: readSecret(secrets, 'MAIL_FROM') }, (v) => ({
    apiKey: v.SENDGRID_API_KEY!,
    from: v.MAIL_FROM!,
  }));
}

export function readTtl(secrets: Secrets, name: string, fallback: number, problems: string[]): number {
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

export function readUrl(secrets: Secrets, name: string, problems: string[]): string | undefined {
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

/** A secret that holds a JSON object: the object, or undefined (absent; or `<name> invalid` in `problems`). */
export function parseJsonObject(raw: string | undefined, name: string, problems: string[]): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed)) return parsed;
  problems.push(`${name} invalid`);
  return undefined;
}

export function readTemplateOverrides(secrets: Secrets, problems: string[]): TemplateOverrides {
  const parsed = parseJsonObject(readSecret(secrets, 'TEMPLATE_IDS'), 'TEMPLATE_IDS', problems);
  if (parsed === undefined) return {};
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An application's own emails, named in its `client_metadata` (post-login: `event.client.metadata`).
 * Auth0 keeps client_metadata to 10 keys of string values up to 255 characters (docs-v2
 * manage-users/user-accounts/metadata/metadata-fields-data.mdx), so each setting is one short key
 * holding one string, six of the ten:
 * - `email_verify_template`, `email_welcome_template`, `email_invite_template`: SendGrid dynamic
 *   template ids (`d-...`), used instead of VERIFY_/WELCOME_/INVITE_TEMPLATE_ID and TEMPLATE_IDS;
 * - `email_locale`: the application's language, after the user's own `user_metadata.locale`;
 * - `verify_result_url`: where the verification link lands;
 * - `reset_result_url` (RESET_RESULT_URL_KEY): where setting a password lands.
 * A key that is absent, blank or an unfilled deploy-cli placeholder counts as absent; an invalid
 * one is reported in `problems` (`<key> invalid`: the keys are distinct from every secret's name) and the default is used.
 */

/**
 * `app_metadata.app`: the client id of the application a user is invited to (`npm run invite --
 * --application`). post-user-registration has no `event.client`: this is how the invitation
 * Action knows whose emails to send. Unset, the invitation is the default application's.
 */
export const USER_APPLICATION_KEY = 'app';

/**
 * `client_metadata.reset_result_url`: where the application's users land once they set a password
 * (invitation or reset), read by password-reset-landing instead of RESET_RESULT_URL. Apart from
 * APPLICATION_EMAIL_KEYS, which the invitation and login Actions bundle, so it costs them nothing.
 */
export const RESET_RESULT_URL_KEY = 'reset_result_url';

/** Each undefined where the application names none (or an invalid one). */
export interface ApplicationEmails {
  templates: Partial<Record<TemplateKind, string | undefined>>;
  locale?: string | undefined;
  resultUrl?: string | undefined;
}

/** A SendGrid dynamic template id: `d-` and letters, digits, `-` or `_` (SendGrid's are `d-` and 32 hex digits). */
const TEMPLATE_ID = /^d-[\w-]{1,100}$/;

/**
 * One key of an application's client_metadata: its value when `test` accepts it; undefined when it
 * is absent, blank or a deploy-cli placeholder, and when it is invalid (`<key> invalid` in `problems`).
 */
export function applicationSetting(
  metadata: Readonly<Record<string, unknown>> | undefined,
  key: string,
  test: (value: string) => boolean,
  problems: string[],
): string | undefined {
  const raw = metadata?.[key];
  const value = typeof raw === 'string' ? readSecret({ [key]: raw }, key) : undefined;
  if (value !== undefined && test(value)) return value;
  if (value !== undefined || (raw !== undefined && typeof raw !== 'string')) problems.push(`${key} invalid`);
  return undefined;
}

export const isTemplateId = (value: string): boolean => TEMPLATE_ID.test(value);
/** Normalized where it is used (emailLocale). */
export const isLanguageTag = (value: string): boolean => languageTag(value) !== undefined;

/** The login's emails of an application (verify-and-welcome); the invitation reads its two keys itself. */
export function readApplicationEmails(metadata: Readonly<Record<string, unknown>> | undefined, problems: string[]): ApplicationEmails {
  const read = (key: string, test: (value: string) => boolean) => applicationSetting(metadata, key, test, problems);
  return {
    templates: { verify: read('email_verify_template', isTemplateId), welcome: read('email_welcome_template', isTemplateId) },
    locale: read('email_locale', isLanguageTag),
    resultUrl: read('verify_result_url', isHttpUrl),
  };
}
