import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
  keywords: Record<string, KeywordSource>;
}

export const ENVIRONMENTS_DIR = join(__dirname, '..', 'environments');

export function environmentNames(dir: string = ENVIRONMENTS_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR): EnvironmentDescription {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Unknown environment "${name}": names are lower-case letters, digits and hyphens.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  } catch (error) {
    const known = environmentNames(dir).join(', ');
    throw new Error(`Cannot read environment "${name}" (environments/${name}.json): ${(error as Error).message}. Known: ${known}.`, {
      cause: error,
    });
  }
  const record = raw as Partial<EnvironmentDescription>;
  if (typeof record !== 'object' || record === null || typeof record.keywords !== 'object' || record.domain === undefined) {
    throw new Error(`environments/${name}.json needs "domain" and "keywords".`);
  }
  return { name, description: record.description, domain: record.domain, keywords: record.keywords };
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
