import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** tsx's require hook by path, so that a child started in any folder (one without node_modules) finds it. */
const TSX_HOOK = require.resolve('tsx/cjs');

/** Node's arguments for what `npm run <script> -- <args>` runs: `node --require tsx/cjs scripts/<script>.ts <args>`. */
export function commandProcessArgs(script: string, args: readonly string[] = []): string[] {
  return ['--require', TSX_HOOK, join(ROOT, 'scripts', `${script}.ts`), ...args];
}
