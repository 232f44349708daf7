import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ActionManifest } from '../actions/shared/action-manifest';

/** Auth0 rejects an Action whose code exceeds 100 kB (declared npm dependencies excluded). */
export const AUTH0_CODE_LIMIT_BYTES = 100 * 1024;
/** This project's own bound: an Action's code loads on every execution. */
export const ACTION_SIZE_TARGET_BYTES = 15 * 1024;

export interface BundledAction {
  manifest: ActionManifest;
  codePath: string;
  configPath: string;
  bytes: number;
  dependencies: { name: string; version: string }[];
}

/** deploy-cli replaces `##KEY##` and `@@KEY@@` in action code too: bundled code must hold none. */
const KEYWORD_PATTERN = /(##|@@)[A-Za-z0-9_]+(##|@@)/;

export function findActions(actionsDir: string): ActionManifest[] {
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(actionsDir, entry.name, 'manifest.ts')))
    .map((entry) => {
      const { manifest } = require(join(actionsDir, entry.name, 'manifest.ts')) as { manifest: ActionManifest };
      if (manifest.name !== entry.name) {
        throw new Error(`actions/${entry.name}/manifest.ts names the Action "${manifest.name}": the folder and the name must match.`);
      }
      return manifest;
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The exact installed version of each dependency, from package-lock.json, so Auth0 installs what was tested. */
function lockedVersions(root: string, names: readonly string[]): { name: string; version: string }[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  return names.map((name) => {
    const version = lock.packages?.[`node_modules/${name}`]?.version;
    if (version === undefined) throw new Error(`${name} is not in package-lock.json: run npm install ${name}.`);
    return { name, version };
  });
}

/**
 * The entry esbuild bundles: the Action's index.ts, its exports assigned to CommonJS `exports`
 * by name. Bundled as is, an ES module's exports go through esbuild's `__toCommonJS` helpers
 * (getters on a namespace object, `__esModule`, a trailer for Node's export lexer), about 500
 * bytes of each bundle for the one handler Auth0 reads. `'use strict'` keeps the bundle strict,
 * as the ES module was.
 */
async function commonJsEntry(actionDir: string): Promise<string> {
  const indexPath = join(actionDir, 'index.ts');
  const { metafile } = await build({
    entryPoints: [indexPath],
    bundle: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const names = Object.values(metafile.outputs).flatMap((output) => output.exports);
  if (names.length === 0) throw new Error(`${indexPath} exports nothing: an Action exports its handler (e.g. onExecutePostLogin).`);
  const imports = names.map((name, i) => `${name} as export${i}`).join(', ');
  const assignments = names.map((name, i) => `exports[${JSON.stringify(name)}] = export${i};`).join('\n');
  return `'use strict';\nimport { ${imports} } from './index';\n${assignments}\n`;
}

/**
 * Bundles one Action with esbuild for Auth0's node22 runtime (CommonJS, as Auth0 loads it) and
 * writes deploy-cli's `actions/<name>.json` beside `actions/<name>/code.js`. Its npm
 * dependencies stay external: Auth0 installs them, and inlined they would weigh ~1 MB.
 */
export async function bundleAction(root: string, manifest: ActionManifest, outDir: string): Promise<BundledAction> {
  const actionDir = join(outDir, 'actions', manifest.name);
  mkdirSync(actionDir, { recursive: true });
  const codePath = join(actionDir, 'code.js');
  const entryDir = join(root, 'actions', manifest.name);
  await build({
    stdin: { contents: await commonJsEntry(entryDir), resolveDir: entryDir, loader: 'ts', sourcefile: 'entry.ts' },
    outfile: codePath,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: manifest.dependencies.flatMap((name) => [name, `${name}/*`]),
    // Minified: the code counts against Auth0's limit and is parsed on every cold start.
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    banner: { js: `// Built by npm run build from actions/${manifest.name}/` },
  });
  const code = readFileSync(codePath, 'utf8');
  const bytes = Buffer.byteLength(code);
  if (bytes > AUTH0_CODE_LIMIT_BYTES) {
    throw new Error(`Action ${manifest.name} is ${bytes} bytes, over Auth0's limit of ${AUTH0_CODE_LIMIT_BYTES} bytes.`);
  }
  const keyword = KEYWORD_PATTERN.exec(code);
  if (keyword !== null) {
    throw new Error(`Action ${manifest.name} contains "${keyword[0]}", which auth0-deploy-cli would replace as a keyword.`);
  }
  const dependencies = lockedVersions(root, manifest.dependencies);
  const configPath = join(outDir, 'actions', `${manifest.name}.json`);
  const config = {
    name: manifest.name,
    code: `./${relative(outDir, codePath).split('\\').join('/')}`,
    runtime: 'node22',
    dependencies,
    secrets: manifest.secrets.map((name) => ({
      name,
      value: manifest.jsonSecrets?.includes(name) === true ? `@@${name}@@` : `##${name}##`,
    })),
    supported_triggers: [manifest.trigger],
    deployed: true,
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { manifest, codePath, configPath, bytes, dependencies };
}
