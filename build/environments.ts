import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * An environment description (`environments/<name>.json`): the tenant's domain and the value of
 * every deploy-cli keyword, each either written here (non-secret settings) or read from an
 * environment variable (secrets, and what differs per tenant).
 */
export type KeywordSource = string | string[] | { env: string; default?: string | string[]; json?: boolean };

export interface EnvironmentDescription {
  name: string;
  description?: string;
  domain: KeywordSource;
  /**
   * The deploy application (auth0-deploy-cli's `AUTH0_CLIENT_ID` / `AUTH0_CLIENT_SECRET`), a
   * machine-to-machine application of the tenant. Read from `AUTH0_CLIENT_ID` /
   * `AUTH0_CLIENT_SECRET` when the file does not say.
   */
  credentials?: { clientId: KeywordSource; clientSecret: KeywordSource };
  /** A CA certificate (PEM) to trust for this tenant, relative to the project root: the local tenant's self-signed one. */
  caCert?: KeywordSource;
  keywords: Record<string, KeywordSource>;
  /**
   * Whether this tenant accepts a `resultUrl` on email templates (Auth0's "Redirect To"): only
   * tenants on an enterprise subscription or created before 2026-05-05 do; the others answer 403
   * `Customizations for resultUrl are not allowed for non-enterprise tenants` (docs-v2
   * customize/email/email-templates/customize-email-templates.mdx). False when unset: the
   * deploy then sends no template `resultUrl` (see docs/invitation-landing.md).
   */
  templateResultUrl?: boolean;
}

/** The name of the setting, for messages that tell a deployer what to change. */
export const TEMPLATE_RESULT_URL_SETTING = 'templateResultUrl';

const DEFAULT_CREDENTIALS: NonNullable<EnvironmentDescription['credentials']> = {
  clientId: { env: 'AUTH0_CLIENT_ID' },
  clientSecret: { env: 'AUTH0_CLIENT_SECRET' },
};

export const ENVIRONMENTS_DIR = join(__dirname, '..', 'environments');

/** An environment's file name: `<name>.json`. Files named `_<base>.json` are bases, not environments. */
const ENVIRONMENT_NAME = /^[a-z0-9-]+$/;
const BASE_NAME = /^_[a-z0-9-]+$/;

export function environmentNames(dir: string = ENVIRONMENTS_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => ENVIRONMENT_NAME.test(name))
    .sort();
}

/**
 * `environments/<name>.json`. A file may say `"extends": "_<base>"` to start from
 * `environments/_<base>.json` (dev, staging and prod share `_hosted.json`): its own fields
 * replace the base's, and its `keywords` are laid over the base's one by one.
 */
export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR): EnvironmentDescription {
  if (!ENVIRONMENT_NAME.test(name)) throw new Error(`Unknown environment "${name}": names are lower-case letters, digits and hyphens.`);
  let record: Partial<EnvironmentDescription> & { extends?: unknown };
  try {
    record = readEnvironmentFile(name, dir);
  } catch (error) {
    const known = environmentNames(dir).join(', ');
    throw new Error(`Cannot read environment "${name}" (environments/${name}.json): ${(error as Error).message}. Known: ${known}.`, {
      cause: error,
    });
  }
  if (record.extends !== undefined) {
    const baseName = record.extends;
    if (typeof baseName !== 'string' || !BASE_NAME.test(baseName)) {
      throw new Error(`environments/${name}.json: "extends" names a base file, such as "_hosted" (environments/_hosted.json).`);
    }
    let base: Partial<EnvironmentDescription> & { extends?: unknown };
    try {
      base = readEnvironmentFile(baseName, dir);
    } catch (error) {
      throw new Error(`environments/${name}.json extends "${baseName}": ${(error as Error).message}.`, { cause: error });
    }
    if (base.extends !== undefined) throw new Error(`environments/${baseName}.json: a base cannot extend another.`);
    const { extends: _base, ...own } = record;
    record = { ...base, ...own, keywords: { ...base.keywords, ...own.keywords } };
  }
  if (typeof record.keywords !== 'object' || record.keywords === null || record.domain === undefined) {
    throw new Error(`environments/${name}.json needs "domain" and "keywords".`);
  }
  if (record.templateResultUrl !== undefined && typeof record.templateResultUrl !== 'boolean') {
    throw new Error(`environments/${name}.json: "${TEMPLATE_RESULT_URL_SETTING}" must be true or false.`);
  }
  return {
    name,
    ...(record.description !== undefined ? { description: record.description } : {}),
    domain: record.domain,
    ...(record.credentials !== undefined ? { credentials: record.credentials } : {}),
    ...(record.caCert !== undefined ? { caCert: record.caCert } : {}),
    keywords: record.keywords,
    ...(record.templateResultUrl !== undefined ? { templateResultUrl: record.templateResultUrl } : {}),
  };
}

function readEnvironmentFile(file: string, dir: string): Partial<EnvironmentDescription> & { extends?: unknown } {
  const raw: unknown = JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
  return raw;
}

/** A keyword's value when it is written in the file; undefined when it comes from the environment. */
export function literalValue(source: KeywordSource | undefined): string | string[] | undefined {
  if (source === undefined) return undefined;
  return typeof source === 'string' || Array.isArray(source) ? source : undefined;
}

/** A keyword's value: written, or read from `env` (with its default). Undefined when it has none. */
export function resolveKeyword(source: KeywordSource, env: NodeJS.ProcessEnv = process.env): string | string[] | undefined {
  if (typeof source === 'string' || Array.isArray(source)) return source;
  const value = env[source.env];
  if (value === undefined || value === '') return source.default;
  if (source.json === true) {
    try {
      return JSON.parse(value) as string[];
    } catch {
      throw new Error(`Environment variable ${source.env} must be JSON (for example ["https://app.example.com/callback"]).`);
    }
  }
  return value;
}

/**
 * Every keyword of an environment with its value, and the names of those that have none
 * (deploy-cli would strip such a placeholder and leave the tenant's old value in place).
 */
export function resolveKeywords(
  environment: EnvironmentDescription,
  env: NodeJS.ProcessEnv = process.env,
): { values: Record<string, string | string[]>; missing: string[] } {
  const values: Record<string, string | string[]> = {};
  const missing: string[] = [];
  for (const [keyword, source] of Object.entries(environment.keywords)) {
    const value = resolveKeyword(source, env);
    if (value === undefined)
      missing.push(typeof source === 'object' && !Array.isArray(source) ? `${keyword} (environment variable ${source.env})` : keyword);
    else values[keyword] = value;
  }
  return { values, missing };
}

/** Where a value comes from, for messages: `environment variable X` or `environments/<name>.json`. */
export function describeSource(source: KeywordSource, environmentName: string): string {
  return typeof source === 'object' && !Array.isArray(source)
    ? `environment variable ${source.env}`
    : `environments/${environmentName}.json`;
}

/** One environment variable an environment reads, and what for. */
interface EnvironmentVariableUse {
  variable: string;
  /** `domain`, `credentials.clientId`, `caCert`, or `keyword NAME`. */
  usedFor: string[];
  /** False when the file gives a default, so leaving it unset is fine. */
  required: boolean;
}

/** Every environment variable an environment description reads (domain, deploy credentials, CA, keywords). */
export function environmentVariables(environment: EnvironmentDescription): EnvironmentVariableUse[] {
  const uses = new Map<string, EnvironmentVariableUse>();
  const note = (source: KeywordSource | undefined, usedFor: string) => {
    if (source === undefined || typeof source === 'string' || Array.isArray(source)) return;
    const use = uses.get(source.env) ?? { variable: source.env, usedFor: [], required: false };
    use.usedFor.push(usedFor);
    use.required ||= source.default === undefined;
    uses.set(source.env, use);
  };
  note(environment.domain, 'domain');
  const credentials = environment.credentials ?? DEFAULT_CREDENTIALS;
  note(credentials.clientId, 'credentials.clientId');
  note(credentials.clientSecret, 'credentials.clientSecret');
  note(environment.caCert, 'caCert');
  for (const [keyword, source] of Object.entries(environment.keywords)) note(source, `keyword ${keyword}`);
  return [...uses.values()];
}

/** Where and as whom a deploy connects: the tenant's domain, the deploy application, a CA to trust. */
export interface DeployTarget {
  domain: string;
  clientId: string;
  clientSecret: string;
  /** Absolute path of a PEM file to trust, when the environment names one. */
  caCertPath: string | undefined;
}

/**
 * The deploy target of an environment, or the names of what is missing (each with the
 * environment variable that would give it). Values are never part of a message.
 */
export function resolveDeployTarget(
  environment: EnvironmentDescription,
  env: NodeJS.ProcessEnv = process.env,
  root: string = join(__dirname, '..'),
): { target?: DeployTarget; missing: string[] } {
  const credentials = environment.credentials ?? DEFAULT_CREDENTIALS;
  const missing: string[] = [];
  const single = (source: KeywordSource, what: string): string | undefined => {
    const value = resolveKeyword(source, env);
    if (typeof value === 'string' && value !== '') return value;
    missing.push(`${what} (${describeSource(source, environment.name)})`);
    return undefined;
  };
  const domain = single(environment.domain, 'the tenant domain');
  const clientId = single(credentials.clientId, 'the deploy client id');
  const clientSecret = single(credentials.clientSecret, 'the deploy client secret');
  const ca = environment.caCert === undefined ? undefined : resolveKeyword(environment.caCert, env);
  const caCertPath = typeof ca === 'string' && ca !== '' ? (isAbsolute(ca) ? ca : join(root, ca)) : undefined;
  if (domain === undefined || clientId === undefined || clientSecret === undefined) return { missing };
  return { target: { domain, clientId, clientSecret, caCertPath }, missing };
}
