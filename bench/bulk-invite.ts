import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkInviteSummary } from '../admin/bulk-invite';
import { readReport } from '../admin/report';
import type { LoggedRequest } from '../local-tenant/faults/request-log';
import type { LocalStack } from '../local-tenant/local-stack';
import { ROOT } from './built-actions';
import { localTenantEnvironment } from './local-environment';
import { notMeasured, ratioOf, type Section } from './report';

/**
 * 6. Bulk invitation: `npm run invite -- --csv` (the real command, in a child process, so the
 * tenant and the script each have a core) creating users in a local tenant whose Management API
 * is limited to a fixed rate; users per second as a fraction of that rate, and the 429 answers.
 * Then the peak memory of the same command streaming a 100,000-row CSV with `--dry-run`,
 * beside the same command on a 100-row CSV.
 */

const TITLE = '6. Bulk invitation';

/** Management API requests per user in Action mode on a change_password connection: the creation, and the Action's record. */
const REQUESTS_PER_USER = 2;

export interface BulkInviteBenchOptions {
  users: number;
  /** The local tenant's Management API bucket. */
  limit: { burst: number; perSecond: number };
  dryRunRows: number;
  dryRunBaselineRows: number;
}

export const BULK_INVITE_DEFAULTS: BulkInviteBenchOptions = {
  users: 2000,
  limit: { burst: 20, perSecond: 20 },
  dryRunRows: 100_000,
  dryRunBaselineRows: 100,
};

/**
 * A CSV of made-up users at example.com (reserved for documentation). `mixed` puts every
 * fourth user on the shared-inbox connection with a username, as a real file might.
 */
export function writeInviteCsv(path: string, rows: number, options: { mixed: boolean; prefix: string }): void {
  const lines = ['email,username,name,locale,connection'];
  for (let i = 1; i <= rows; i++) {
    const id = String(i).padStart(6, '0');
    const shared = options.mixed && i % 4 === 0;
    lines.push(
      shared
        ? `family-${id}@example.com,${options.prefix}-${id},"Member ${id}, Family",fr,shared-inbox`
        : `${options.prefix}-${id}@example.com,,Member ${id},en,members`,
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

interface ChildResult {
  exitCode: number;
  output: string;
  /** Peak resident set size in kB, from /usr/bin/time -v (when measured). */
  maxRssKb?: number;
}

const TIME_BINARY = '/usr/bin/time';

/** Runs `npm run invite -- <args>` as `node --import tsx scripts/invite.ts`, optionally under /usr/bin/time -v. */
function runInviteCommand(args: readonly string[], env: NodeJS.ProcessEnv, measureMemory: boolean): Promise<ChildResult> {
  const node = [process.execPath, '--import', 'tsx', join(ROOT, 'scripts', 'invite.ts'), ...args];
  const [command, ...commandArgs] = measureMemory ? [TIME_BINARY, '-v', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(output);
      resolve({ exitCode: code ?? 1, output, ...(rss?.[1] !== undefined ? { maxRssKb: Number(rss[1]) } : {}) });
    });
  });
}

/** The `summary` line the command writes last in its JSONL report. */
function reportSummary(reportPath: string): BulkInviteSummary {
  const { summary } = readReport<BulkInviteSummary>(reportPath);
  if (summary === undefined) throw new Error('the invite report has no summary line');
  return summary;
}

/** Counts what the tenant answered while `work` runs; the request log is bounded, so it is drained every 250 ms. */
async function watchTenant<T>(stack: LocalStack, work: () => Promise<T>): Promise<{ result: T; log: LoggedRequest[] }> {
  const { requestLog } = stack.tenant;
  const log: LoggedRequest[] = [];
  const drain = () => {
    log.push(...requestLog.list());
    requestLog.clear();
  };
  requestLog.clear();
  const timer = setInterval(drain, 250);
  try {
    const result = await work();
    return { result, log };
  } finally {
    clearInterval(timer);
    drain();
  }
}

export async function measureBulkInvite(
  stack: LocalStack,
  options: BulkInviteBenchOptions,
  progress: (line: string) => void,
): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-invite-'));
  try {
    const env = localTenantEnvironment(stack);
    const csv = join(dir, 'users.csv');
    // A prefix of its own: users of an earlier run in the same tenant would be answered 409 (exists).
    writeInviteCsv(csv, options.users, { mixed: false, prefix: `bench-${Date.now().toString(36)}` });
    const reportPath = join(dir, 'invite.report.jsonl');
    const usersBefore = stack.tenant.store.data.users.length;
    stack.tenant.faults.setRateLimitTier(options.limit);
    progress(`  ${options.users} users, Management API limited to ${options.limit.perSecond}/s (burst ${options.limit.burst})`);
    const { result: run, log } = await watchTenant(stack, () =>
      runInviteCommand(
        ['--env', 'local', '--csv', csv, '--progress', 'none', '--state-dir', join(dir, 'state'), '--report', reportPath],
        env,
        false,
      ),
    ).finally(() => stack.tenant.faults.setRateLimitTier(undefined));
    if (!existsSync(reportPath)) throw new Error(`npm run invite wrote no report (exit ${run.exitCode}): ${run.output.slice(-1500)}`);
    const summary = reportSummary(reportPath);
    const created = stack.tenant.store.data.users.length - usersBefore;
    const seconds = summary.elapsedMs / 1000;
    const usersPerSecond = summary.created / seconds;
    // What the limit allows: each user costs its creation and the Action's record of the invitation;
    // the run's confirmation searches (one per up to 25 users) are counted as measured, not assumed.
    const searches = log.filter((r) => r.method === 'GET' && r.path === '/api/v2/users').length;
    const requestsPerUser = REQUESTS_PER_USER + searches / Math.max(1, options.users);
    const allowedUsersPerSecond = options.limit.perSecond / requestsPerUser;
    const records = log.filter((r) => r.method === 'PATCH' && r.path.startsWith('/api/v2/users/') && r.status === 200).length;
    const tenant429 = log.filter((r) => r.status === 429).length;
    const invitations = log.filter((r) => r.method === 'POST' && r.path === '/dbconnections/change_password' && r.status === 200).length;
    // The best possible time: the burst at once, then every further request at the bucket's rate.
    const idealSeconds = Math.max(0, options.users * requestsPerUser - options.limit.burst) / options.limit.perSecond;

    progress(`  --dry-run of ${options.dryRunRows.toLocaleString('en-US')} rows, and of ${options.dryRunBaselineRows}`);
    const dryRun = async (rows: number) => {
      const file = join(dir, `dry-${rows}.csv`);
      writeInviteCsv(file, rows, { mixed: true, prefix: `dry-${rows}` });
      const result = await runInviteCommand(
        [
          '--env',
          'local',
          '--csv',
          file,
          '--dry-run',
          '--tenant-dir',
          join(ROOT, 'tenant'),
          '--progress',
          'none',
          '--state-dir',
          join(dir, 'state'),
          '--report',
          join(dir, `dry-${rows}.report.jsonl`),
        ],
        env,
        existsSync(TIME_BINARY),
      );
      const dry = existsSync(join(dir, `dry-${rows}.report.jsonl`)) ? reportSummary(join(dir, `dry-${rows}.report.jsonl`)) : undefined;
      return { result, summary: dry };
    };
    const large = await dryRun(options.dryRunRows);
    const small = await dryRun(options.dryRunBaselineRows);
    const memoryMeasured = large.result.maxRssKb !== undefined && small.result.maxRssKb !== undefined;
    const dryRunOk = large.summary?.wouldCreate === options.dryRunRows && small.summary?.wouldCreate === options.dryRunBaselineRows;

    const rateFigureNote =
      `${summary.created} of ${options.users} users created (${created} new users in the tenant, ${invitations} invitations sent by the Action, ${records} recorded by it, ${summary.invited} confirmed by the command with ${searches} searches) in ${seconds.toFixed(1)} s; ` +
      `the best possible time at this limit is ${idealSeconds.toFixed(1)} s; ${summary.requests.requests} Management API requests, ${summary.requests.retries} retried`;
    return {
      id: 'bulk-invite',
      title: TITLE,
      method:
        `\`npm run invite -- --env local --csv <file>\` (the real command, default pacing: it learns the limit from the \`x-ratelimit-*\` headers) run as a child process against the local tenant with the Actions deployed, its Management API limited to one token bucket of ${options.limit.perSecond} requests/s, burst ${options.limit.burst}. ` +
        `${options.users.toLocaleString('en-US')} new users on \`members\` (change_password mode: per user, the creation \`POST /api/v2/users\` and the Action's record of the sent invitation \`PATCH /api/v2/users/{id}\` share the bucket; the Action's \`/dbconnections/change_password\` is outside it; the command confirms the records with one user search per up to 25 users, counted from the tenant's log), so the limit allows at most rate ÷ (${REQUESTS_PER_USER} + searches per user) users/s: users/s ÷ that has floor (best) 1.0. ` +
        `Users/s from the command's own report (created ÷ elapsed, CSV scan and token included); band >= 0.9 (this benchmark's choice: pacing and retries may cost at most a tenth of the rate), and every user must be created and invited by the Action; 429s both as the command counted them and as the tenant answered them. ` +
        `Memory: peak resident set size of the whole command (Node, tsx and all) by \`/usr/bin/time -v\`, \`--dry-run --tenant-dir tenant\` on a generated CSV (a quarter of the rows on shared-inbox with usernames), beside the same command on ${options.dryRunBaselineRows} rows. N = 1 run each.`,
      figures: [
        {
          id: 'bulk-invite.throughput',
          figure: `users per second ÷ users per second the limit allows (${options.users.toLocaleString('en-US')} users)`,
          measured: usersPerSecond / allowedUsersPerSecond,
          unit: '',
          counterpart: { label: 'floor', value: 1, unit: '' },
          ratio: ratioOf(usersPerSecond / allowedUsersPerSecond, 1),
          band: '>= 0.9',
          // Every user created AND invited by the Action, or the rate says nothing about a bulk invitation.
          verdict:
            summary.created === options.users &&
            invitations === options.users &&
            summary.invited === options.users &&
            usersPerSecond / allowedUsersPerSecond >= 0.9
              ? 'pass'
              : 'fail',
          note: `${usersPerSecond.toFixed(2)} users/s against ${allowedUsersPerSecond.toFixed(2)} users/s allowed (${options.limit.perSecond} requests/s ÷ ${requestsPerUser.toFixed(3)} requests per user). ${rateFigureNote}`,
        },
        {
          id: 'bulk-invite.429',
          figure: '429 answers received',
          measured: summary.requests.rateLimited,
          unit: '',
          counterpart: { label: 'floor', value: 0, unit: '' },
          ratio: null,
          band: 'none',
          verdict: 'reported',
          note: `the tenant answered ${tenant429} requests with 429`,
        },
        memoryMeasured
          ? {
              id: 'bulk-invite.dry-run-memory',
              figure: `peak memory, ${options.dryRunRows.toLocaleString('en-US')}-row CSV, --dry-run`,
              measured: large.result.maxRssKb! / 1024,
              unit: 'MB',
              counterpart: { label: `${options.dryRunBaselineRows}-row CSV`, value: small.result.maxRssKb! / 1024, unit: 'MB' },
              ratio: ratioOf(large.result.maxRssKb!, small.result.maxRssKb!),
              band: 'none',
              verdict: dryRunOk ? 'reported' : 'fail',
              note: dryRunOk
                ? `${large.summary?.wouldCreate} rows validated in ${((large.summary?.elapsedMs ?? 0) / 1000).toFixed(1)} s; ${large.summary?.identitiesTracked} identities held by the duplicate check`
                : `the dry run did not validate every row (exit ${large.result.exitCode}): ${large.result.output.slice(-300)}`,
            }
          : notMeasured(
              'bulk-invite.dry-run-memory',
              `peak memory, ${options.dryRunRows.toLocaleString('en-US')}-row CSV, --dry-run`,
              `${options.dryRunBaselineRows}-row CSV`,
              'none',
              `${TIME_BINARY} -v is not available on this machine`,
            ),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function skippedBulkInvite(why: string): Section {
  return {
    id: 'bulk-invite',
    title: TITLE,
    method:
      'Bulk invitation (`npm run invite -- --csv`) against a rate-limited local tenant, and peak memory of a 100,000-row `--dry-run`. Not run in this run.',
    figures: [
      notMeasured('bulk-invite.throughput', 'users per second ÷ rate limit', 'floor', '>= 0.9', why),
      notMeasured('bulk-invite.429', '429 answers received', 'floor', 'none', why),
      notMeasured('bulk-invite.dry-run-memory', 'peak memory, 100,000-row CSV, --dry-run', '100-row CSV', 'none', why),
    ],
  };
}
