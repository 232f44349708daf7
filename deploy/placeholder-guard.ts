import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describeSource, type EnvironmentDescription } from '../build/environments';

/**
 * auth0-deploy-cli replaces `##KEY##` (the value as is) and `@@KEY@@` (the value JSON-encoded)
 * in every file it loads, from AUTH0_KEYWORD_REPLACE_MAPPINGS. A placeholder with no value is
 * stripped with a warning, and the tenant silently keeps its old value (or gets none). So the
 * deploy refuses, before any request, while any placeholder of the bundle has no value.
 */
const PLACEHOLDER = /(##|@@)([A-Za-z0-9_]+)\1/g;

interface UnfilledPlaceholder {
  keyword: string;
  /** `##KEY##` or `@@KEY@@`, as written. */
  placeholders: string[];
  /** Files of the bundle that hold it, relative to the bundle directory. */
  files: string[];
  /** Why it has no value: the environment variable to set, or the file to add it to. */
  reason: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Every `##KEY##` / `@@KEY@@` of the bundle whose keyword has no value, with the files that hold it. */
export function findUnfilledPlaceholders(
  bundleDir: string,
  values: Readonly<Record<string, unknown>>,
  environment: EnvironmentDescription,
): UnfilledPlaceholder[] {
  const found = new Map<string, { placeholders: Set<string>; files: Set<string> }>();
  for (const file of filesUnder(bundleDir)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(PLACEHOLDER)) {
      const keyword = match[2] as string;
      if (values[keyword] !== undefined) continue;
      const entry = found.get(keyword) ?? { placeholders: new Set<string>(), files: new Set<string>() };
      entry.placeholders.add(match[0]);
      entry.files.add(relative(bundleDir, file).split('\\').join('/'));
      found.set(keyword, entry);
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([keyword, { placeholders, files }]) => {
      const source = environment.keywords[keyword];
      const reason =
        source === undefined
          ? `environments/${environment.name}.json has no keyword ${keyword}`
          : `${describeSource(source, environment.name)} is not set`;
      return { keyword, placeholders: [...placeholders], files: [...files], reason };
    });
}

/** One refusal line per unfilled placeholder, naming it, where it is and how to give it a value. */
export function formatUnfilledPlaceholder(unfilled: UnfilledPlaceholder): string {
  return `Unfilled placeholder ${unfilled.placeholders.join(' / ')} in ${unfilled.files.join(', ')}: ${unfilled.reason}.`;
}

/**
 * deploy-cli's keyword replacement as it applies it to each file (`@@KEY@@` JSON-encoded, then
 * `##KEY##` as is), so that what the deploy checks is what will be deployed.
 */
export function replaceKeywords(text: string, values: Readonly<Record<string, string | string[]>>): string {
  let result = text;
  for (const [key, value] of Object.entries(values)) {
    // A quoted `"@@KEY@@"` loses its quotes, as in deploy-cli.
    for (const pattern of [`"@@${key}@@"`, `'@@${key}@@'`, `@@${key}@@`]) result = result.split(pattern).join(JSON.stringify(value));
  }
  for (const [key, value] of Object.entries(values)) result = result.split(`##${key}##`).join(String(value));
  return result;
}
