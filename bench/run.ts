import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { format, resolveConfig } from 'prettier';
import { buildTenantBundle, ROOT } from '../build/tenant-bundle';
import { runBench, SLOW_DEFAULTS } from './benchmark';
import { BULK_INVITE_DEFAULTS, INVITE_MODES, type InviteMode } from './bulk-invite';
import { failedFigures, renderMarkdown } from './report';

/**
 * `npm run bench`: builds the Actions, measures every figure beside its floor or naive
 * counterpart, prints the table and writes REPORT.md and report.json. Exit code 1 when a
 * figure leaves its band.
 */
const program = new Command()
  .name('npm run bench')
  .description('Measure the Actions and the scripts against their floors; write REPORT.md and report.json.')
  .option('--quick', 'fewer repetitions, and skip the slow sections (bulk invitation, deploy), as npm test does', false)
  .option('--out <dir>', 'where to write REPORT.md and report.json', join(ROOT, 'bench'))
  .option('--no-build', 'measure dist/tenant as it is, without npm run build first')
  .option('--bulk-users <n>', 'new users per bulk invitation run', positiveInteger, BULK_INVITE_DEFAULTS.users)
  .option('--bulk-runs <n>', 'bulk invitation runs per mode', positiveInteger, BULK_INVITE_DEFAULTS.runs)
  .option('--deploy-repetitions <n>', 'unchanged plans and deploys', positiveInteger, SLOW_DEFAULTS.deployRepetitions)
  .option('--only <section>', 'only this section, after the one deploy it needs: bulk-invite', onlySection)
  .option('--bulk-modes <modes>', `bulk invitation modes, comma-separated (${INVITE_MODES.map((m) => m.id).join(', ')})`, inviteModes)
  .parse();

function onlySection(value: string): 'bulk-invite' {
  if (value !== 'bulk-invite') throw new InvalidArgumentError(`the only section that runs alone is bulk-invite, not ${value}`);
  return value;
}

function inviteModes(value: string): InviteMode['id'][] {
  const known = INVITE_MODES.map((m) => m.id);
  const modes = value.split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !(known as string[]).includes(m));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown bulk invitation mode(s) ${unknown.join(', ')}: expected ${known.join(', ')}`);
  return modes as InviteMode['id'][];
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got ${value}`);
  return n;
}

const options = program.opts<{
  quick: boolean;
  out: string;
  build: boolean;
  bulkUsers: number;
  bulkRuns: number;
  deployRepetitions: number;
  only?: 'bulk-invite';
  bulkModes?: InviteMode['id'][];
}>();

async function main(): Promise<void> {
  const started = Date.now();
  if (options.build) {
    console.error('building dist/tenant');
    await buildTenantBundle();
  }
  const report = await runBench({
    quick: options.quick,
    ...(options.only !== undefined ? { only: options.only } : {}),
    progress: (line) => console.error(`measuring ${line}`),
    slow: {
      deployRepetitions: options.deployRepetitions,
      bulk: {
        ...BULK_INVITE_DEFAULTS,
        users: options.bulkUsers,
        runs: options.bulkRuns,
        modes: options.bulkModes,
      },
    },
  });
  const markdownFile = resolve(options.out, 'REPORT.md');
  const prettierOptions = (await resolveConfig(markdownFile)) ?? {};
  const markdown = await format(renderMarkdown(report), { ...prettierOptions, parser: 'markdown' });
  mkdirSync(options.out, { recursive: true });
  writeFileSync(markdownFile, markdown);
  writeFileSync(resolve(options.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(markdown);
  console.error(
    `wrote ${relative(process.cwd(), markdownFile)} and report.json in ${((Date.now() - started) / 1000).toFixed(0)} s (${report.mode} run)`,
  );
  const failed = failedFigures(report);
  if (failed.length > 0) {
    console.error(`${failed.length} figure(s) outside their band: ${failed.map((f) => f.id).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
