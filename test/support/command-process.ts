import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..', '..');
/** tsx's loader by path, so that a child started in any folder (one without node_modules) finds it. */
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

/** Node's arguments for what `npm run <script> -- <args>` runs: `node --import tsx scripts/<script>.ts <args>`. */
export function commandProcessArgs(script: string, args: readonly string[] = []): string[] {
  return ['--import', TSX_LOADER, join(ROOT, 'scripts', `${script}.ts`), ...args];
}
