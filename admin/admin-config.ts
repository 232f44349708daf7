import type { Secrets } from '../actions/shared/auth0-actions';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import { readInviteSettings, type InviteSettings } from '../actions/invite-on-registration/settings';
import {
  allNeeded,
  collect,
  isHttpUrl,
  ticketTtl,
  normalizeDomain,
  readSecret,
  type ManagementCredentials,
  type Needed,
  type NeededValue,
} from '../actions/shared/settings';
import type { TicketReturn } from '../actions/shared/management-api';
import { readVerifyWelcomeSettings, type VerifyWelcomeSettings } from '../actions/verify-and-welcome/settings';
import { isAbsolute, join } from 'node:path';
import { environmentNames, loadEnvironment, resolveKeyword, type EnvironmentDescription } from '../build/environments';

/**
 * The administrator scripts' configuration: the same environment description as the deploy
 * (`environments/<name>.json`, its keywords read from the process environment, which `.env`
 * fills for local runs), read through the Actions' own settings module, so a keyword means the
 * same thing to an Action and to a script.
 *
 * What only the scripts need:
 * - `ADMIN_CLIENT_ID` / `ADMIN_CLIENT_SECRET`: the scripts' own machine-to-machine application,
 *   granted the scopes of deploy/application-scopes.ts `admin` (docs/scopes.md). When unset, the
 *   Actions' application (keywords `AUTH0_CLIENT_ID` / `AUTH0_CLIENT_SECRET`) is used, which
 *   then needs those scopes too; a separate application keeps the Actions' scopes minimal and
 *   lets either be revoked alone. environments/local.json names the local tenant's one.
 * - `SENDGRID_BASE_URL`: another SendGrid host; for the `local` environment it defaults to the
 *   local tenant's stand-in, `https://<domain>/sendgrid`.
 * - `PASSWORD_RESET_TEMPLATE_ID` (default `d-local-password-reset` for `local`),
 *   `PASSWORD_RESET_TTL_SEC` (default 86400: a reset link lives one day).
 * Each of these may also be a keyword of the environment file, which then wins.
 */

export const DEFAULT_PASSWORD_RESET_TTL_SEC = 86_400;
/** The environment's `caCert` is relative to the repository, as for the deploy. */
const REPO_ROOT = join(__dirname, '..');

/** What the local environment implies when nothing else is set: the local tenant's stand-ins. */
const LOCAL_DEFAULTS: Record<string, (domain: string | undefined) => string | undefined> = {
  SENDGRID_BASE_URL: (domain) => (domain === undefined ? undefined : `https://${domain}/sendgrid`),
  PASSWORD_RESET_TEMPLATE_ID: () => 'd-local-password-reset',
};

/** The ticket returns to the login application, so Auth0's reset page sends the user back to it; else to `resultUrl`. */
export type PasswordResetSettings = TicketReturn & {
  templateId: string;
  ttlSec: number;
  appName: string | undefined;
};

export interface AdminConfig {
  environment: string;
  domain: Needed<string>;
  management: Needed<ManagementCredentials>;
  mail: Needed<SendGridOptions>;
  /** The Actions' invitation settings: connections and modes, ticket settings for direct sends. */
  invite: InviteSettings;
  verify: VerifyWelcomeSettings;
  passwordReset: Needed<PasswordResetSettings>;
  /** A CA to trust besides Node's (the environment's `caCert`, e.g. the local tenant's), absolute. */
  caCertPath: string | undefined;
  /** Settings that were set but invalid (e.g. a bad TTL); each was replaced by its default. */
  problems: string[];
  /** For error messages: where a missing setting comes from. */
  describe(name: string): string;
}

export class AdminConfigError extends Error {
  constructor(
    message: string,
    readonly missing: string[],
  ) {
    super(message);
    this.name = 'AdminConfigError';
  }
}

export interface LoadAdminConfigOptions {
  /** `environments/<name>.json`. */
  environment: string;
  env?: NodeJS.ProcessEnv;
  environmentsDir?: string;
}

export function loadAdminConfig(options: LoadAdminConfigOptions): AdminConfig {
  const env = options.env ?? process.env;
  const description = describedEnvironment(options.environment, options.environmentsDir);
  const secrets = keywordValues(description, env);
  const isLocal = description.name === 'local';
  const problems: string[] = [];

  const rawDomain = stringValue(resolveQuietly(description.domain, env)) ?? secrets.AUTH0_DOMAIN;
  const domain = rawDomain === undefined ? undefined : normalizeDomain(rawDomain);
  if (rawDomain !== undefined && domain === undefined) problems.push('AUTH0_DOMAIN invalid');

  const setting = (name: string): string | undefined =>
    readSecret(secrets, name) ?? readSecret(env, name) ?? (isLocal ? LOCAL_DEFAULTS[name]?.(domain) : undefined);

  // The scripts' own application when both halves are given; else the Actions' one.
  const adminId = readSecret(secrets, 'ADMIN_CLIENT_ID') ?? readSecret(env, 'ADMIN_CLIENT_ID');
  const adminSecret = readSecret(secrets, 'ADMIN_CLIENT_SECRET') ?? readSecret(env, 'ADMIN_CLIENT_SECRET');
  const useAdminApp = adminId !== undefined || adminSecret !== undefined;
  const clientId = useAdminApp ? adminId : readSecret(secrets, 'AUTH0_CLIENT_ID');
  const clientSecret = useAdminApp ? adminSecret : readSecret(secrets, 'AUTH0_CLIENT_SECRET');
  const effective: Secrets = {
    ...secrets,
    ...(domain !== undefined ? { AUTH0_DOMAIN: domain } : {}),
    AUTH0_CLIENT_ID: clientId,
    AUTH0_CLIENT_SECRET: clientSecret,
  };

  const invite = readInviteSettings(effective);
  const verify = readVerifyWelcomeSettings(effective);
  problems.push(...invite.problems, ...verify.problems.filter((p) => !invite.problems.includes(p)));

  const management: Needed<ManagementCredentials> = collect(
    {
      AUTH0_DOMAIN: domain,
      [useAdminApp ? 'ADMIN_CLIENT_ID' : 'AUTH0_CLIENT_ID']: clientId,
      [useAdminApp ? 'ADMIN_CLIENT_SECRET' : 'AUTH0_CLIENT_SECRET']: clientSecret,
    },
    () => ({ domain: domain!, clientId: clientId!, clientSecret: clientSecret! }),
  );

  const baseUrl = setting('SENDGRID_BASE_URL');
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) problems.push('SENDGRID_BASE_URL invalid');
  const mail: Needed<SendGridOptions> = invite.mail.ok
    ? { ok: true, value: { ...invite.mail.value, ...(baseUrl !== undefined && isHttpUrl(baseUrl) ? { baseUrl } : {}) } }
    : invite.mail;

  const resetTemplateId = setting('PASSWORD_RESET_TEMPLATE_ID');
  const resetTtl = ticketTtl(setting('PASSWORD_RESET_TTL_SEC'), DEFAULT_PASSWORD_RESET_TTL_SEC, 'PASSWORD_RESET_TTL_SEC', problems);
  const inviteClientId = readSecret(effective, 'INVITE_CLIENT_ID');
  const resetResultUrl = readSecret(effective, 'RESET_RESULT_URL');
  const appName = readSecret(effective, 'INVITE_APP_NAME');
  // Auth0's ticket takes a client_id (its login route) or a result_url: one of them is needed.
  const passwordReset: Needed<PasswordResetSettings> = collect(
    { PASSWORD_RESET_TEMPLATE_ID: resetTemplateId, 'INVITE_CLIENT_ID or RESET_RESULT_URL': inviteClientId ?? resetResultUrl },
    (v) => ({
      templateId: v.PASSWORD_RESET_TEMPLATE_ID!,
      ttlSec: resetTtl,
      ...(inviteClientId !== undefined ? { clientId: inviteClientId } : { resultUrl: resetResultUrl! }),
      appName,
    }),
  );

  const ca = description.caCert === undefined ? undefined : stringValue(resolveQuietly(description.caCert, env));
  const caCertPath = ca === undefined || ca === '' ? undefined : isAbsolute(ca) ? ca : join(REPO_ROOT, ca);

  return {
    environment: description.name,
    caCertPath,
    domain: domain === undefined ? { ok: false, missing: ['AUTH0_DOMAIN'] } : { ok: true, value: domain },
    management,
    mail,
    invite,
    verify,
    passwordReset,
    problems,
    describe: (name) => describeSetting(description, name),
  };
}

/** An unknown or unreadable environment is a configuration error (exit 2), with the known names. */
function describedEnvironment(name: string, dir: string | undefined): EnvironmentDescription {
  try {
    return loadEnvironment(name, dir);
  } catch (error) {
    if (((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new AdminConfigError(
        `Unknown environment "${name}" (--env or ADMIN_ENV): there is no environments/${name}.json. ` +
          `Known: ${environmentNames(dir).join(', ')}.`,
        [],
      );
    }
    throw new AdminConfigError((error as Error).message, []);
  }
}

/**
 * The settings a command needs, all present, or an AdminConfigError naming every missing one
 * and where it comes from (keyword, environment variable, file).
 */
export function requireSettings<const T extends Record<string, Needed<unknown>>>(
  config: AdminConfig,
  needs: T,
): { [K in keyof T]: NeededValue<T[K]> } {
  const ready = allNeeded(needs);
  if (!ready.ok) {
    const lines = ready.missing.map((name) =>
      name
        .split(' or ')
        .map((part) => config.describe(part))
        .join(', or '),
    );
    throw new AdminConfigError(
      `Missing configuration for environment "${config.environment}" (environments/${config.environment}.json, ` +
        `the process environment or .env):\n${lines.map((l) => `  - ${l}`).join('\n')}`,
      ready.missing,
    );
  }
  return ready.value;
}

function describeSetting(description: EnvironmentDescription, name: string): string {
  const source = description.keywords[name] ?? (name === 'AUTH0_DOMAIN' ? description.domain : undefined);
  const from =
    source !== undefined && typeof source === 'object' && !Array.isArray(source)
      ? `environment variable ${source.env}`
      : source !== undefined
        ? `keyword in environments/${description.name}.json`
        : `environment variable ${name}`;
  const extra =
    name === 'AUTH0_CLIENT_ID' || name === 'AUTH0_CLIENT_SECRET'
      ? `, or ${name.replace('AUTH0_', 'ADMIN_')} for the scripts' own application`
      : name === 'ADMIN_CLIENT_ID' || name === 'ADMIN_CLIENT_SECRET'
        ? ' (ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET go together)'
        : '';
  return `${name} (${from}${extra})`;
}

/** Every keyword with a value; a keyword whose variable holds bad JSON is left out (no script reads the JSON ones). */
function keywordValues(description: EnvironmentDescription, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [keyword, source] of Object.entries(description.keywords)) {
    values[keyword] = stringValue(resolveQuietly(source, env));
  }
  return values;
}

function resolveQuietly(source: Parameters<typeof resolveKeyword>[0], env: NodeJS.ProcessEnv): string | string[] | undefined {
  try {
    return resolveKeyword(source, env);
  } catch {
    return undefined;
  }
}

function stringValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
