import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAction, type DeclaredDependency, type LoadedAction } from '../local-tenant/actions-runtime/load-action';

/**
 * The Actions as `npm run build` wrote them (dist/tenant/actions/<name>.json and its code.js),
 * discovered from the build output rather than listed here, so a new Action is measured too.
 */

export const ROOT = join(__dirname, '..');
const DIST_TENANT = join(ROOT, 'dist', 'tenant');

export interface BuiltAction {
  name: string;
  trigger: { id: string; version: string };
  codePath: string;
  code: string;
  bytes: number;
  dependencies: DeclaredDependency[];
  /** The TypeScript entry point the bundle was built from. */
  entryPoint: string;
}

interface DeployedActionConfig {
  name: string;
  code: string;
  dependencies: DeclaredDependency[];
  supported_triggers: { id: string; version: string }[];
}

export function builtActions(distTenant: string = DIST_TENANT): BuiltAction[] {
  const dir = join(distTenant, 'actions');
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: run npm run build first.`);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const config = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DeployedActionConfig;
      const trigger = config.supported_triggers[0];
      if (trigger === undefined) throw new Error(`${file} names no trigger`);
      const codePath = join(distTenant, config.code);
      const code = readFileSync(codePath, 'utf8');
      return {
        name: config.name,
        trigger,
        codePath,
        code,
        bytes: Buffer.byteLength(code),
        dependencies: config.dependencies,
        entryPoint: join(ROOT, 'actions', config.name, 'index.ts'),
      };
    });
}

export function builtAction(name: string, distTenant: string = DIST_TENANT): BuiltAction {
  const action = builtActions(distTenant).find((a) => a.name === name);
  if (action === undefined) throw new Error(`No built Action named ${name} in ${distTenant}: run npm run build first.`);
  return action;
}

/** The exported function Auth0 calls for each trigger. */
const HANDLER_NAMES: Readonly<Record<string, string>> = {
  'post-login': 'onExecutePostLogin',
  'post-user-registration': 'onExecutePostUserRegistration',
  'custom-email-provider': 'onExecuteCustomEmailProvider',
};

function handlerName(trigger: string): string {
  const name = HANDLER_NAMES[trigger];
  if (name === undefined) throw new Error(`No handler name known for trigger ${trigger}`);
  return name;
}

export type Handler = (event: unknown, api: unknown) => Promise<unknown>;

/**
 * Loads code in a fresh node:vm context with the local tenant's loader. `variant` is appended as
 * a comment: V8 caches compiled scripts by their source text, so each repetition of a cold start
 * gets a source of its own and is compiled from scratch, as in a fresh Auth0 instance.
 */
export function loadFresh(code: string, options: { filename: string; dependencies: readonly DeclaredDependency[]; variant?: string }) {
  const source = options.variant === undefined ? code : `${code}\n// ${options.variant}\n`;
  return loadAction(source, { filename: options.filename, dependencies: options.dependencies });
}

export function handlerOf(loaded: LoadedAction, trigger: string): Handler {
  const handler = loaded.exports[handlerName(trigger)];
  if (typeof handler !== 'function') throw new Error(`The Action does not export ${handlerName(trigger)}`);
  return handler as Handler;
}

/** An Action that does nothing, exporting every handler: the counterpart of a cold start and of an execution. */
export const EMPTY_ACTION_CODE = Object.values(HANDLER_NAMES)
  .map((name) => `exports.${name} = async (event, api) => {};`)
  .join('\n');

/** Modules of the Action's declared npm dependencies (the SDKs) among those it required. */
export function sdkModules(required: readonly string[], dependencies: readonly DeclaredDependency[]): string[] {
  return required.filter((specifier) => dependencies.some((d) => specifier === d.name || specifier.startsWith(`${d.name}/`)));
}
