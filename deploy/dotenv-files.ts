import { config } from 'dotenv';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Local runs read their environment variables from `.env.<environment>` (one tenant's values)
 * and then `.env` (shared ones), both gitignored. A variable already set wins over both, and
 * `.env.<environment>` wins over `.env`, so the pipeline's secrets are never overridden.
 * Returns the names of the files read; values are never printed.
 */
export function loadDotenvFiles(root: string, environment: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!/^[a-z0-9-]+$/.test(environment)) return [];
  const files = [join(root, `.env.${environment}`), join(root, '.env')].filter((file) => existsSync(file));
  if (files.length > 0) {
    const result = config({ path: files, processEnv: env, quiet: true });
    if (result.error !== undefined) throw new Error(`Cannot read ${files.map((f) => basename(f)).join(', ')}: ${result.error.message}`);
  }
  return files.map((file) => basename(file));
}
