import { AsyncLocalStorage } from 'node:async_hooks';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';

/**
 * Loads an Action's deployed code the way Auth0 runs it: CommonJS in a fresh `node:vm`
 * context, module-level code run once and reused across executions, `require` limited to Node's
 * built-ins and the Action's declared npm dependencies, console output kept per execution.
 * "Actions are always coded and run using Node.js CommonJS" (docs-v2
 * customize/actions/actions-npm): the code runs inside Node's module wrapper, so its top-level
 * declarations are module locals, not properties of the context's global object (which V8
 * reaches through the context's interceptors, several times slower).
 */

export interface DeclaredDependency {
  name: string;
  version: string;
}

export interface LoadedAction {
  /** The module's exports: `onExecutePostLogin`, `onExecutePostUserRegistration`, ... */
  exports: Record<string, unknown>;
  /** Every module the code required so far, in order, built-ins included. */
  required: string[];
  /** Runs `work` with the Action's console output going to `lines`. */
  captureLogs<T>(lines: string[], work: () => Promise<T>): Promise<T>;
}

interface LoadActionOptions {
  /** Name for stack traces. */
  filename?: string;
  dependencies?: readonly DeclaredDependency[];
  /** Where declared dependencies are resolved from (default: this project's node_modules). */
  resolveFrom?: string;
  /** Versions must match what is installed, as Auth0 installs exactly what is declared. */
  checkVersions?: boolean;
}

const projectRoot = join(__dirname, '..', '..');
/**
 * Where the running execution's console lines go. One for the process, not one per loaded
 * Action: Node 20 keeps every AsyncLocalStorage that ever ran in a list it walks on each new
 * promise, so one per load made every promise of the process slower with each Action loaded
 * (an in-band profile of the test suite spent ~13 s in that walk, most of it under liquidjs'
 * renders; part of it is what any one storage costs).
 */
const logSink = new AsyncLocalStorage<string[]>();
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

function isDeclared(specifier: string, dependencies: readonly DeclaredDependency[]): boolean {
  return dependencies.some((dep) => specifier === dep.name || specifier.startsWith(`${dep.name}/`));
}

export function loadAction(code: string, options: LoadActionOptions = {}): LoadedAction {
  const dependencies = options.dependencies ?? [];
  const hostRequire = createRequire(join(options.resolveFrom ?? projectRoot, 'package.json'));
  if (options.checkVersions === true) {
    for (const dep of dependencies) {
      const installed = (hostRequire(`${dep.name}/package.json`) as { version: string }).version;
      if (installed !== dep.version) {
        throw new Error(`The Action declares ${dep.name}@${dep.version}, but ${installed} is installed here.`);
      }
    }
  }
  const required: string[] = [];
  const sandboxRequire = (specifier: string): unknown => {
    required.push(specifier);
    if (builtins.has(specifier) || isDeclared(specifier, dependencies)) return hostRequire(specifier);
    const error = new Error(`Cannot find module '${specifier}': declare it in the Action's dependencies.`);
    (error as Error & { code: string }).code = 'MODULE_NOT_FOUND';
    throw error;
  };

  const write =
    (level: string) =>
    (...args: unknown[]): void => {
      const line = args.map((arg) => (typeof arg === 'string' ? arg : safeInspect(arg))).join(' ');
      const sink = logSink.getStore();
      if (sink !== undefined) sink.push(level === 'log' ? line : `[${level}] ${line}`);
    };
  const sandboxConsole = { log: write('log'), info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };

  const module = { exports: {} as Record<string, unknown> };
  const context = vm.createContext({
    console: sandboxConsole,
    process: { env: {}, version: process.version, versions: process.versions, nextTick: process.nextTick.bind(process) },
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
    Headers,
    Request,
    Response,
    FormData,
    Blob,
    structuredClone,
    queueMicrotask,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
    crypto: globalThis.crypto,
  });
  const filename = options.filename ?? 'action.js';
  // Node's CommonJS wrapper: (exports, require, module, __filename, __dirname), `this` = exports.
  const moduleFunction = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename,
    parsingContext: context,
  });
  moduleFunction.call(module.exports, module.exports, sandboxRequire, module, filename, '/');
  return {
    exports: module.exports,
    required,
    captureLogs: (lines, work) => logSink.run(lines, work),
  };
}

/** A logged value as text: its JSON, or what String() makes of what JSON cannot hold. */
export function safeInspect(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
