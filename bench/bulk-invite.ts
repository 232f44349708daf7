import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BulkInviteSummary } from '../admin/bulk-invite';
import { readReport } from '../admin/report';
import type { LoggedRequest } from '../local-tenant/faults/request-log';
import type { LocalStack } from '../local-tenant/local-stack';
import { ROOT } from './built-actions';
import { commandProcessArgs } from '../test/support/command-process';
import { localTenantEnvironment } from './local-environment';
import { notMeasured, ratioOf, type Figure, type Section } from './report';
import { median } from './stats';

/**
 * 6. Bulk invitation: `npm run invite -- --csv` (the real command, in a child process, so the
 * tenant and the script each have a core) creating users in a local tenant whose Management API
 * is limited to a fixed rate, in both invitation modes; users per second against what the limit
 * allows at ONE Management API request per user (the creation, which no design can avoid), with
 * our further requests per user shown as their own cost. Then the peak memory of the same
 * command streaming a 100,000-row CSV with `--dry-run`, beside the same command on a 100-row CSV.
 */

const TITLE = '6. Bulk invitation';

/** The two ways the post-user-registration Action invites; each connection picks one (environments/local.json). */
export interface InviteMode {
  id: 'change-password' | 'ticket';
  connection: 'members' | 'shared-inbox';
  /** Management API requests the Action makes per user, beside the creation. */
  actionRequests: number;
  description: string;
}

export const INVITE_MODES: readonly InviteMode[] = [
  {
    id: 'change-password',
    connection: 'members',
    actionRequests: 1,
    description:
      'change_password mode (`members`): Auth0 sends its own reset email from `POST /dbconnections/change_password` (Authentication API, outside the bucket); the Action records the sent invitation with `PATCH /api/v2/users/{id}`',
  },
  {
    id: 'ticket',
    connection: 'shared-inbox',
    actionRequests: 2,
    description:
      'ticket mode (`shared-inbox`, users with a username): the Action asks for a password-change ticket (`POST /api/v2/tickets/password-change`), sends it through SendGrid, and records the sent invitation with `PATCH /api/v2/users/{id}`',
  },
];

export interface BulkInviteBenchOptions {
  /** New users per run. */
  users: number;
  /** Runs per mode; figures are their medians. */
  runs: number;
  /** The local tenant's Management API bucket. */
  limit: { burst: number; perSecond: number };
  dryRunRows: number;
  dryRunBaselineRows: number;
  /** The modes to run (default: all of INVITE_MODES). */
  modes?: readonly InviteMode['id'][] | undefined;
}

/**
 * 300 users a run: at 20 requests/s a change_password run takes about 30 s and a ticket run
 * about 45 s, so three of each fit in four minutes; the burst (20) is then 2 % to 3 % of a run's
 * requests, and the floor below counts it.
 */
export const BULK_INVITE_DEFAULTS: BulkInviteBenchOptions = {
  users: 300,
  runs: 3,
  limit: { burst: 20, perSecond: 20 },
  dryRunRows: 100_000,
  dryRunBaselineRows: 100,
};

/** Seconds a token bucket (`burst`, `perSecond`) needs at best to serve `requests`: the burst at once, the rest at the rate. */
function bucketSeconds(requests: number, limit: { burst: number; perSecond: number }): number {
  return Math.max(0, requests - limit.burst) / limit.perSecond;
}

/**
 * A CSV of made-up users at example.com (reserved for documentation). `mixed` puts every
 * fourth user on the shared-inbox connection with a username, as a real file might;
 * `connection: 'shared-inbox'` puts every user there (ticket mode), each with a short username.
 */
function writeInviteCsv(
  path: string,
  rows: number,
  options: { mixed: boolean; prefix: string; connection?: 'members' | 'shared-inbox'; usernamePrefix?: string },
): void {
  const lines = ['email,username,name,locale,connection'];
  for (let i = 1; i <= rows; i++) {
    const id = String(i).padStart(6, '0');
    if (options.connection === 'shared-inbox') {
      lines.push(`${options.prefix}-${id}@example.com,${options.usernamePrefix ?? 'u'}${id},Member ${id},en,shared-inbox`);
      continue;
    }
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

/** Runs `npm run invite -- <args>` as its own process (test/support/command-process.ts), optionally under /usr/bin/time -v. */
function runInviteCommand(args: readonly string[], env: NodeJS.ProcessEnv, measureMemory: boolean): Promise<ChildResult> {
  const node = [process.execPath, ...commandProcessArgs('invite', args)];
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

/** One run of one mode, as the tenant's log and the command's report tell it. */
interface InviteRun {
  users: number;
  created: number;
  /** Confirmed by the command: the Action's record of the sent invitation was read back. */
  invited: number;
  seconds: number;
  usersPerSecond: number;
  /** Management API requests the bucket served (429s not counted), by kind. */
  bucket: { total: number; creations: number; records: number; tickets: number; searches: number; other: number };
  /** From the first request the bucket served to the last creation or Action request, and the requests served in it. */
  bucketSpan: { seconds: number; requests: number };
  tenant429: number;
  command429: number;
  retries: number;
  /** The command's report: rows in it, and rows `invited` (a row missing from it is a row lost). */
  reportRows: number;
  reportInvited: number;
  /** Invitation emails in the tenant's outbox per user of the run: users with one, with none, with more than one. */
  sends: { once: number; none: number; more: number; emails: number };
  /** When a user was not invited: the distinct post-user-registration outcomes of the run (log lines and errors), to say why. */
  actionOutcomes: string[];
}

async function inviteRun(
  stack: LocalStack,
  dir: string,
  env: NodeJS.ProcessEnv,
  mode: InviteMode,
  options: BulkInviteBenchOptions,
  run: number,
): Promise<InviteRun> {
  const tag = `${Date.now().toString(36).slice(-5)}${run}`;
  const csv = join(dir, `${mode.id}-${run}.csv`);
  // A prefix of its own: users of an earlier run in the same tenant would be answered 409 (exists).
  writeInviteCsv(csv, options.users, { mixed: false, prefix: `bench-${tag}`, connection: mode.connection, usernamePrefix: `b${tag}` });
  const reportPath = join(dir, `${mode.id}-${run}.report.jsonl`);
  const usersBefore = stack.tenant.store.data.users.length;
  const executionsBefore = stack.tenant.store.data.action_executions.length;
  stack.tenant.faults.setRateLimitTier(options.limit);
  const { result, log } = await watchTenant(stack, () =>
    runInviteCommand(
      ['--env', 'local', '--csv', csv, '--progress', 'none', '--state-dir', join(dir, `state-${mode.id}-${run}`), '--report', reportPath],
      env,
      false,
    ),
  ).finally(() => stack.tenant.faults.setRateLimitTier(undefined));
  if (!existsSync(reportPath)) throw new Error(`npm run invite wrote no report (exit ${result.exitCode}): ${result.output.slice(-1500)}`);
  const summary = reportSummary(reportPath);
  const { rows } = readReport(reportPath);
  // Late sends would show here: post-user-registration runs after the creation's answer (the profile's delay).
  await new Promise((resolve) => setTimeout(resolve, stack.tenant.profile.timings.postRegistrationDelayMs + 1000));
  const sends = sendsPerUser(stack, `bench-${tag}-`, options.users);
  const served = log.filter((r) => r.path.startsWith('/api/v2/') && r.status !== 429);
  const count = (method: string, test: (path: string) => boolean) => served.filter((r) => r.method === method && test(r.path)).length;
  const creations = count('POST', (path) => path === '/api/v2/users');
  const records = count('PATCH', (path) => path.startsWith('/api/v2/users/'));
  const tickets = count('POST', (path) => path === '/api/v2/tickets/password-change');
  const searches = count('GET', (path) => path === '/api/v2/users');
  // The span of the invitation work: from the first request the bucket served to the last
  // creation or Action request; searches inside it count, the confirmation's tail after it not.
  const at = (r: LoggedRequest) => Date.parse(r.at);
  const work = served.filter((r) => !(r.method === 'GET' && r.path === '/api/v2/users')).map(at);
  const first = Math.min(...served.map(at));
  const last = Math.max(...work);
  const inSpan = served.filter((r) => at(r) <= last).length;
  const seconds = summary.elapsedMs / 1000;
  return {
    users: options.users,
    created: Math.min(summary.created, stack.tenant.store.data.users.length - usersBefore),
    invited: summary.invited,
    seconds,
    usersPerSecond: summary.created / seconds,
    bucket: {
      total: served.length,
      creations,
      records,
      tickets,
      searches,
      other: served.length - creations - records - tickets - searches,
    },
    bucketSpan: { seconds: work.length > 1 ? (last - first) / 1000 : 0, requests: inSpan },
    tenant429: log.filter((r) => r.status === 429).length,
    command429: summary.requests.rateLimited,
    retries: summary.requests.retries,
    reportRows: rows.length,
    reportInvited: rows.filter((r) => r.status === 'invited').length,
    sends,
    actionOutcomes: registrationOutcomes(stack, executionsBefore),
  };
}

/** The distinct post-user-registration outcomes since `from` (user ids taken out), at most five. */
function registrationOutcomes(stack: LocalStack, from: number): string[] {
  const outcomes = new Map<string, number>();
  const executions = stack.tenant.store.data.action_executions.slice(from).filter((e) => e.trigger_id === 'post-user-registration');
  for (const execution of executions) {
    const lines = execution.results.flatMap((r) => [...r.logs, ...(r.error !== undefined ? [`error: ${r.error}`] : [])]);
    const key =
      lines
        .join(' | ')
        .replace(/auth0\|\w+/g, '<user>')
        .slice(0, 200) || '(no output)';
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  return [...outcomes].slice(0, 5).map(([line, n]) => `${n}× ${line}`);
}

/** Emails in the outbox to the run's addresses (`<prefix>000001@example.com`, ...), counted per address. */
function sendsPerUser(stack: LocalStack, prefix: string, users: number): InviteRun['sends'] {
  const perAddress = new Map<string, number>();
  let emails = 0;
  for (const email of stack.tenant.store.outbox.list()) {
    for (const to of email.to) {
      if (!to.startsWith(prefix)) continue;
      emails += 1;
      perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    }
  }
  const counts = [...perAddress.values()];
  return {
    once: counts.filter((n) => n === 1).length,
    none: users - perAddress.size,
    more: counts.filter((n) => n > 1).length,
    emails,
  };
}

/** The figures of one mode, from its runs (medians). */
function modeFigures(mode: InviteMode, runs: InviteRun[], options: BulkInviteBenchOptions): Figure[] {
  const { limit, users } = options;
  // What the limit allows when each user costs one request, its creation: no design can do with less.
  const floorUsersPerSecond = users / bucketSeconds(users, limit);
  const throughput = median(runs.map((r) => r.usersPerSecond / floorUsersPerSecond));
  const usersPerSecond = median(runs.map((r) => r.usersPerSecond));
  const perUser = (pick: (r: InviteRun) => number) => median(runs.map((r) => pick(r) / r.users));
  const requestsPerUser = perUser((r) => r.bucket.creations + r.bucket.records + r.bucket.tickets);
  const searchesPerUser = perUser((r) => r.bucket.searches + r.bucket.other);
  const designCost = 1 + mode.actionRequests;
  // How close each run came to the best time for the requests it did make (the bucket's pacing).
  const pacing = median(
    runs.map((r) => (r.bucketSpan.seconds > 0 ? bucketSeconds(r.bucketSpan.requests, limit) / r.bucketSpan.seconds : 0)),
  );
  const complete = runs.every(
    (r) => r.created === users && r.invited === users && r.reportRows === users && r.reportInvited === users && r.sends.once === users,
  );
  const allPerUser = perUser((r) => r.bucket.total);
  const ourShare = (allPerUser - perUser((r) => r.bucket.creations)) / allPerUser;
  const runLines = runs
    .map(
      (r) =>
        `${r.created}/${r.users} created, ${r.invited} invited, ${r.seconds.toFixed(1)} s, ${r.usersPerSecond.toFixed(2)} users/s, ` +
        `report ${r.reportInvited}/${r.reportRows} rows invited, emails: ${r.sends.once} users one, ${r.sends.none} none, ${r.sends.more} more than one` +
        (r.invited === r.users ? '' : ` (post-user-registration: ${r.actionOutcomes.join('; ') || 'no execution'})`),
    )
    .join('; ');
  return [
    {
      id: `bulk-invite.${mode.id}.throughput`,
      figure: `${mode.id}: users/s ÷ users/s the limit allows at one request per user (${users} users)`,
      measured: throughput,
      unit: '',
      counterpart: { label: 'floor (the creation alone)', value: 1, unit: '' },
      ratio: throughput,
      band: 'none (see requests per user and pacing)',
      verdict: complete ? 'reported' : 'fail',
      note: `${usersPerSecond.toFixed(2)} users/s (median) against ${floorUsersPerSecond.toFixed(2)} users/s: ${users} creations through a bucket of ${limit.perSecond}/s, burst ${limit.burst}, take ${bucketSeconds(users, limit).toFixed(1)} s at best. Runs: ${runLines}${complete ? '' : '. NOT every user was created and invited'}`,
    },
    {
      id: `bulk-invite.${mode.id}.requests-per-user`,
      figure: `${mode.id}: Management API requests per user, creation and Action`,
      measured: requestsPerUser,
      unit: '',
      counterpart: { label: 'floor (the creation)', value: 1, unit: '' },
      ratio: requestsPerUser,
      band: `<= ${designCost}`,
      verdict: requestsPerUser <= designCost ? 'pass' : 'fail',
      note: `per user (medians): creation ${perUser((r) => r.bucket.creations).toFixed(2)}, ${mode.actionRequests === 2 ? `ticket ${perUser((r) => r.bucket.tickets).toFixed(2)}, ` : ''}invitation record ${perUser((r) => r.bucket.records).toFixed(2)}; with the confirmation searches below, what this project adds to the creation is ${(ourShare * 100).toFixed(0)} % of the requests the bucket served. The band is this design's cost: the creation and ${mode.actionRequests} request(s) of the Action`,
    },
    {
      id: `bulk-invite.${mode.id}.searches-per-user`,
      figure: `${mode.id}: the command's confirmation requests per user`,
      measured: searchesPerUser,
      unit: '',
      counterpart: { label: 'floor (no confirmation)', value: 0, unit: '' },
      ratio: null,
      band: 'none',
      verdict: 'reported',
      note: `user searches (one per up to 25 users, sooner when users are created slowly) and reads by id: ${runs.map((r) => `${r.bucket.searches} + ${r.bucket.other}`).join(', ')} per run`,
    },
    {
      id: `bulk-invite.${mode.id}.pacing`,
      figure: `${mode.id}: best time for the requests made ÷ time taken`,
      measured: pacing,
      unit: '',
      counterpart: { label: 'floor', value: 1, unit: '' },
      ratio: pacing,
      band: '>= 0.9',
      verdict: pacing >= 0.9 && complete ? 'pass' : 'fail',
      note: `from the first to the last request the bucket served; 429 answers: ${runs.map((r) => r.command429).join(', ')} counted by the command (${runs.map((r) => r.retries).join(', ')} retried), ${runs.map((r) => r.tenant429).join(', ')} sent by the tenant`,
    },
  ];
}

export async function measureBulkInvite(
  stack: LocalStack,
  options: BulkInviteBenchOptions,
  progress: (line: string) => void,
): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-invite-'));
  try {
    const env = localTenantEnvironment(stack);
    const figures: Figure[] = [];
    for (const mode of INVITE_MODES.filter((m) => options.modes === undefined || options.modes.includes(m.id))) {
      const runs: InviteRun[] = [];
      for (let run = 0; run < options.runs; run++) {
        progress(
          `  ${mode.id}, run ${run + 1} of ${options.runs}: ${options.users} users, Management API limited to ${options.limit.perSecond}/s (burst ${options.limit.burst})`,
        );
        runs.push(await inviteRun(stack, dir, env, mode, options, run));
      }
      figures.push(...modeFigures(mode, runs, options));
    }

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
    figures.push(
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
    );

    return {
      id: 'bulk-invite',
      title: TITLE,
      method:
        `\`npm run invite -- --env local --csv <file>\` (the real command, default pacing: it learns the limit from the \`x-ratelimit-*\` headers) run as a child process against the local tenant with the Actions deployed, its Management API (every \`/api/v2/\` path) limited to one token bucket of ${options.limit.perSecond} requests/s, burst ${options.limit.burst}. ` +
        `${options.runs} runs per mode of ${options.users.toLocaleString('en-US')} new users each (fewer users than the 2,000 of earlier reports, so that three runs of both modes take about four minutes; the floor counts the burst, so the figure does not depend on the run's length beyond that): ${INVITE_MODES.map((m) => m.description).join('; ')}. The command confirms the records with one user search per up to 25 users. ` +
        `The floor is what the limit allows at ONE request per user, the creation \`POST /api/v2/users\`, which any bulk invitation makes: users ÷ (users − burst) × rate. Our further requests (the Action's, and the command's searches) are shown as their own cost, in requests per user counted from the tenant's log, not folded into the floor. Users/s from the command's own report (created ÷ elapsed: CSV scan, token and the final confirmations included). Figures are medians of the runs. ` +
        `Memory: peak resident set size of the whole command (Node, tsx and all) by \`/usr/bin/time -v\`, \`--dry-run --tenant-dir tenant\` on a generated CSV (a quarter of the rows on shared-inbox with usernames), beside the same command on ${options.dryRunBaselineRows} rows, one run each.`,
      figures,
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
      'Bulk invitation (`npm run invite -- --csv`) in both invitation modes against a rate-limited local tenant, and peak memory of a 100,000-row `--dry-run`. Not run in this run.',
    figures: [
      ...INVITE_MODES.flatMap((mode) => [
        notMeasured(
          `bulk-invite.${mode.id}.throughput`,
          `${mode.id}: users/s ÷ users/s the limit allows at one request per user`,
          'floor',
          'none',
          why,
        ),
        notMeasured(
          `bulk-invite.${mode.id}.requests-per-user`,
          `${mode.id}: Management API requests per user`,
          'floor (the creation)',
          `<= ${(1 + mode.actionRequests + 0.1).toFixed(1)}`,
          why,
        ),
        notMeasured(`bulk-invite.${mode.id}.pacing`, `${mode.id}: best time for the requests made ÷ time taken`, 'floor', '>= 0.9', why),
      ]),
      notMeasured('bulk-invite.dry-run-memory', 'peak memory, 100,000-row CSV, --dry-run', '100-row CSV', 'none', why),
    ],
  };
}
