import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUTH0_CODE_LIMIT_BYTES } from '../build/bundle-actions';

interface ActionBundleSize {
  name: string;
  /** The code file, relative to the bundle directory. */
  code: string;
  bytes: number;
}

/**
 * The code size of every Action of a deploy-cli directory (`actions/<name>.json` and the file
 * its `code` names). Measured on the bundle itself, not trusted from the build: Auth0 refuses
 * an Action over its code limit, and deploy-cli would have written the other resources by then.
 */
export function measureActionBundles(bundleDir: string): { sizes: ActionBundleSize[]; problems: string[] } {
  const actionsDir = join(bundleDir, 'actions');
  if (!existsSync(actionsDir)) return { sizes: [], problems: [] };
  const sizes: ActionBundleSize[] = [];
  const problems: string[] = [];
  for (const file of readdirSync(actionsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    let config: { name?: unknown; code?: unknown };
    try {
      config = JSON.parse(readFileSync(join(actionsDir, file), 'utf8')) as typeof config;
    } catch (error) {
      problems.push(`actions/${file} is not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const name = typeof config.name === 'string' ? config.name : file.slice(0, -'.json'.length);
    if (typeof config.code !== 'string') {
      problems.push(`actions/${file} has no "code" path.`);
      continue;
    }
    // deploy-cli resolves `code` from the input directory.
    const codePath = resolve(bundleDir, config.code);
    if (!existsSync(codePath)) {
      problems.push(`Action ${name}: its code ${config.code} is missing from the bundle.`);
      continue;
    }
    const bytes = statSync(codePath).size;
    sizes.push({ name, code: config.code, bytes });
    if (bytes > AUTH0_CODE_LIMIT_BYTES) {
      problems.push(
        `Action ${name} is ${bytes} bytes (${config.code}), over Auth0's limit of ${AUTH0_CODE_LIMIT_BYTES} bytes for an Action's code.`,
      );
    }
  }
  return { sizes, problems };
}
