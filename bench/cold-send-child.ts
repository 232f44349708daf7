/**
 * One cold start of the sending path, in a process of its own (so no module is loaded yet),
 * run by bench/cold-send.ts as `node --require tsx/cjs bench/cold-send-child.ts <mode>`; prints one
 * JSON line.
 *
 * - `send`: the built verify-and-welcome loaded, then its first verification email (token,
 *   ticket, SendGrid send; the SDKs load on this path), then a second one for another user with
 *   an empty cache (the same three requests, everything loaded): the warm counterpart.
 * - `require <specifier>...`: the time and the module files of requiring the given modules.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ActionCacheStore } from '../local-tenant/actions-runtime/action-cache';
import { fakePostLoginApi, fakePostLoginEvent, fakeUser } from '../test/support/action-fakes';
import { builtAction, handlerOf, loadFresh, sdkModules } from './built-actions';
import { withRecordedHttp } from './recorded-http';

export interface ColdSendResult {
  loadMs: number;
  firstEmailMs: number;
  warmEmailMs: number;
  sent: number;
  sdkModules: string[];
}

export interface RequireResult {
  requireMs: number;
  files: number;
}

const ROOT = join(__dirname, '..');

async function coldSend(): Promise<ColdSendResult> {
  const action = builtAction('verify-and-welcome');
  return withRecordedHttp(async (http) => {
    http.token({ times: 2 }).sendgrid({ times: 2 });
    http.verificationTicket().verificationTicket();
    const loadStarted = performance.now();
    const loaded = loadFresh(action.code, { filename: `${action.name}/code.js`, dependencies: action.dependencies });
    const handler = handlerOf(loaded, action.trigger.id);
    const loadMs = performance.now() - loadStarted;
    const logs: string[] = [];
    const execute = async (userId: string) => {
      const started = performance.now();
      const event = fakePostLoginEvent({ user: fakeUser({ user_id: userId }) });
      await loaded.captureLogs(logs, () => handler(event, fakePostLoginApi(new ActionCacheStore())));
      return performance.now() - started;
    };
    const firstEmailMs = await execute('auth0|cold-send-1');
    const warmEmailMs = await execute('auth0|cold-send-2');
    return {
      loadMs,
      firstEmailMs,
      warmEmailMs,
      sent: logs.filter((line) => line.endsWith('verification_sent')).length,
      sdkModules: sdkModules(loaded.required, action.dependencies),
    };
  });
}

function requireModules(specifiers: readonly string[]): RequireResult {
  const projectRequire = createRequire(join(ROOT, 'package.json'));
  const before = Object.keys(projectRequire.cache).length;
  const started = performance.now();
  for (const specifier of specifiers) projectRequire(specifier);
  const requireMs = performance.now() - started;
  return { requireMs, files: Object.keys(projectRequire.cache).length - before };
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  const result = mode === 'send' ? await coldSend() : mode === 'require' ? requireModules(rest) : undefined;
  if (result === undefined) throw new Error(`usage: cold-send-child.ts send | require <specifier>...`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
