import { watch, type FSWatcher } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ManagementClient } from 'auth0';
import { bundleAction, findActions } from '../build/bundle-actions';

/**
 * `npm start -- --watch`: an edit under actions/ rebuilds the Actions it touches (all of them for
 * actions/shared/) and deploys each into the running tenant through the Management API, as
 * Auth0's own editor does (PATCH the code, wait until it is built, deploy it). Users, the outbox
 * and the Actions' secrets stay as they are.
 */

export interface RedeployReport {
  action: string;
  /** From the file event to the deploy's answer: the new code answers the next execution. */
  ms: number;
  ok: boolean;
  error?: string;
}

interface ActionWatchOptions {
  /** The project root (its actions/ is watched and bundled). */
  root: string;
  /** Where the bundles are written (dist/tenant). */
  outDir: string;
  management: ManagementClient;
  onRedeploy(report: RedeployReport): void;
  /** Changes closer together than this are one change (an editor writes a file in several steps). */
  debounceMs?: number;
}

export function watchActions(options: ActionWatchOptions): { close(): void } {
  const actionsDir = join(options.root, 'actions');
  const pending = new Set<string>();
  let firstEventAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();

  const flush = () => {
    const changed = [...pending];
    const startedAt = firstEventAt;
    pending.clear();
    firstEventAt = 0;
    running = running.then(() => redeploy(options, changed, startedAt));
  };

  const watcher: FSWatcher = watch(actionsDir, { recursive: true }, (_event, file) => {
    if (file === null || !/\.ts$/.test(file) || /\.test\.ts$/.test(file)) return;
    const [folder] = relative('.', file).split(sep);
    if (folder === undefined) return;
    pending.add(folder);
    if (firstEventAt === 0) firstEventAt = Date.now();
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 150);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

async function redeploy(options: ActionWatchOptions, folders: readonly string[], startedAt: number): Promise<void> {
  let manifests;
  try {
    manifests = findActions(join(options.root, 'actions'));
  } catch (error) {
    options.onRedeploy({ action: folders.join(','), ms: Date.now() - startedAt, ok: false, error: message(error) });
    return;
  }
  // actions/shared/ (or any folder that is not an Action) is code every Action may bundle.
  const touched = folders.every((folder) => manifests.some((m) => m.name === folder))
    ? manifests.filter((m) => folders.includes(m.name))
    : manifests;
  for (const manifest of touched) {
    try {
      const bundled = await bundleAction(options.root, manifest, options.outDir);
      await deployCode(options.management, manifest.name, readFileSync(bundled.codePath, 'utf8'));
      options.onRedeploy({ action: manifest.name, ms: Date.now() - startedAt, ok: true });
    } catch (error) {
      options.onRedeploy({ action: manifest.name, ms: Date.now() - startedAt, ok: false, error: message(error) });
    }
  }
}

/** PATCH the code, wait for Auth0 to build it (an Action deploys only once `built`), then deploy. */
async function deployCode(management: ManagementClient, name: string, code: string): Promise<void> {
  const page = await management.actions.list({ actionName: name });
  const action = page.data.find((a) => a.name === name);
  if (action?.id === undefined) throw new Error(`no Action named ${name} in the tenant: deploy it first`);
  await management.actions.update(action.id, { code });
  for (let attempt = 0; ; attempt += 1) {
    const current = await management.actions.get(action.id);
    if (current.status === 'built') break;
    if (current.status === 'failed' || attempt >= 100) throw new Error(`${name} did not build (status ${current.status ?? 'unknown'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await management.actions.deploy(action.id);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
