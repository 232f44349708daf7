import { basename, join } from 'node:path';
import { connectionsFromTenant, type ConnectionDirectory } from './connections';
import { checkCsvHeader, readInviteRows, scanCsv, type InviteRow, type ParsedRow } from './csv-rows';
import {
  assignRoles,
  createUser,
  findExistingUser,
  recordInvitation,
  sendRowInvitation,
  type DirectInvitation,
  type InviteOptions,
} from './invite-user';
import { ActionInvitations, DEFAULT_CONFIRMATION, type ConfirmationTiming } from './invitation-confirmations';
import {
  createdByThisRun,
  isEnd,
  journalEntryOf,
  nextStep,
  reportOf,
  startRow,
  type InvitationRun,
  type RowStep,
  type StepAnswer,
  type Transition,
} from './invitation-row/plan';
import { failureReason, type AdminManagement } from './management';
import type { Progress } from './progress';
import type { RateCounters } from './rate-limit';
import { ReportWriter, type RowReport } from './report';
import { journalPath, RunJournal, type JournalEntry, type JournalRecord } from './run-journal';

/**
 * Invites every user of a CSV (or the one user given by flags): streamed (one row in memory per
 * request in flight), paced by the rate governor, resumable through the run journal, every row's
 * outcome in the report file. This is the driver: what a row does next is decided by
 * admin/invitation-row/plan.ts; here the steps are performed, rows are kept in flight, and the
 * journal, report and progress written.
 *
 * Memory that grows with the file: the duplicate check keeps one 12-character hash per
 * identity (connection + email on connections with unique emails, connection + username):
 * measured, 7 MB of live heap per 100,000 rows (a --dry-run). A real run's journal adds one
 * record per row done: measured, 18 MB per 100,000 rows read back on resume.
 */

export const DEFAULT_STATE_DIR = '.admin-runs';

export interface BulkInviteOptions {
  /** The CSV to invite; or `user`. */
  csvPath?: string | undefined;
  /** One user (from flags): a one-row run, without a journal. */
  user?: InviteRow | undefined;
  /** Needed unless `dryRun` with `connections`. */
  management?: AdminManagement | undefined;
  /** Where connection names are checked; default: the tenant (Management API). */
  connections?: ConnectionDirectory | undefined;
  mode: 'action' | 'direct';
  /** Ticket and SendGrid settings: needed for `direct` and `resend`. */
  direct?: DirectInvitation | undefined;
  resend?: boolean | undefined;
  secondaryVerified?: boolean | undefined;
  /** The client id of the application the invitations are for (`app_metadata.app`, docs/per-application-emails.md). */
  application?: string | undefined;
  /** The connection of rows whose `connection` field is empty. */
  defaultConnection?: string | undefined;
  /** Validate the whole file and say what would be done; nothing is created or sent, no journal. */
  dryRun?: boolean | undefined;
  /** Journal (and default report) folder. Default `.admin-runs`. */
  stateDir?: string | undefined;
  /** Default `<stateDir>/invite-<csv name>-<time>.report.jsonl`. */
  reportPath?: string | undefined;
  /** fdatasync the journal after every row (survives a power cut; slower). */
  durableJournal?: boolean | undefined;
  /** Rows in flight at once. Default: twice the governor's concurrency. */
  concurrency?: number | undefined;
  /**
   * Action mode: how long to wait for the Action's record of each invitation
   * (`app_metadata.invitation_email_sent`); `false` leaves the rows `created`, unchecked.
   */
  confirm?: ConfirmationTiming | false | undefined;
  /** Requests one creation costs in Action mode (see InviteOptions.creationCost). */
  creationCost?: ((connection: string) => number) | undefined;
  /** Who invites (`--invited-by`): recorded with each user, named in the email. */
  invitedBy?: string | undefined;
  /** Role ids each created user is given before its invitation (`--roles`). */
  roles?: readonly string[] | undefined;
  /** Stops reading rows; the rows in flight finish, and the run can be resumed. */
  signal?: AbortSignal | undefined;
  progress?: Progress | undefined;
  /** Console lines (never an email): failures by line number. */
  log?: ((line: string) => void) | undefined;
  /** Each row's outcome, as written to the report. */
  onRow?: ((row: RowReport) => void) | undefined;
}

export interface BulkInviteSummary {
  /** Records in the file (header excluded). */
  rows: number;
  /** Rows handled by this run (less than `rows` when interrupted). */
  processed: number;
  created: number;
  /** Invitations sent: by the script, or by the Action and seen recorded in app_metadata. */
  invited: number;
  /** Users created whose invitation was left to the Action and not seen sent: unchecked (no confirm) or the run stopped first. */
  awaitingAction: number;
  resent: number;
  /** Users that already existed: not created, not invited. */
  existing: number;
  /** Rows done by an earlier run of the same file. */
  doneEarlier: number;
  duplicates: number;
  invalid: number;
  failed: number;
  wouldCreate: number;
  dryRun: boolean;
  interrupted: boolean;
  elapsedMs: number;
  /** Rows processed per second (dry run: validated). */
  rowsPerSecond: number;
  /** The rate governor's counters: requests, 429s, 5xx, retries. Zero in a dry run. */
  requests: RateCounters;
  /** Users created (or, in a dry run, to create) per connection. */
  byConnection: Record<string, number>;
  /** Identities held by the duplicate check (its memory grows with this). */
  identitiesTracked: number;
  reportPath: string;
  journalPath?: string;
}

const MAX_CONSOLE_ROW_LINES = 50;

export async function runBulkInvite(options: BulkInviteOptions): Promise<BulkInviteSummary> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  if ((options.csvPath === undefined) === (options.user === undefined)) throw new Error('runBulkInvite needs either a CSV or one user.');
  if (options.management === undefined && (!dryRun || options.connections === undefined)) {
    throw new Error('runBulkInvite needs a Management API client (or, for a dry run, a connection directory).');
  }
  if ((options.mode === 'direct' || options.resend === true) && options.direct === undefined && !dryRun) {
    throw new Error('Sending invitations from the script (--direct, --resend) needs the ticket and SendGrid settings.');
  }
  const connections = options.connections ?? connectionsFromTenant(options.management!.client);
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const log = options.log ?? (() => {});

  let records = 1;
  let journal: RunJournal | undefined;
  if (options.csvPath !== undefined) {
    // A file that cannot be read or has a bad header leaves no journal and no report behind.
    await checkCsvHeader(options.csvPath);
    const scan = await scanCsv(options.csvPath);
    records = scan.records;
    journal = dryRun
      ? undefined
      : RunJournal.open(journalPath(stateDir, options.csvPath, scan.sha256), { durable: options.durableJournal === true });
  }
  const runName = options.csvPath !== undefined ? basename(options.csvPath).replace(/[^A-Za-z0-9._-]/g, '_') : 'one-user';
  const reportPath =
    options.reportPath ?? join(stateDir, `invite-${runName}-${new Date().toISOString().replace(/[:.]/g, '-')}.report.jsonl`);
  const report = new ReportWriter(reportPath);

  const summary: BulkInviteSummary = {
    rows: records,
    processed: 0,
    created: 0,
    invited: 0,
    awaitingAction: 0,
    resent: 0,
    existing: 0,
    doneEarlier: 0,
    duplicates: 0,
    invalid: 0,
    failed: 0,
    wouldCreate: 0,
    dryRun,
    interrupted: false,
    elapsedMs: 0,
    rowsPerSecond: 0,
    requests: zeroCounters(),
    byConnection: {},
    identitiesTracked: 0,
    reportPath,
    ...(journal !== undefined ? { journalPath: journal.path } : {}),
  };
  let consoleLines = 0;
  const finish = (row: DrivenRow) => {
    const { state } = row.now;
    // Every row is driven to its end; a state that is not one would be a bug in the driver, reported as a failure.
    const outcome = isEnd(state) ? reportOf(state) : { status: 'failed' as const, reason: `unfinished_${state.kind}` };
    const { status, ...rest } = outcome;
    const reported: RowReport = { line: row.line, status, ...row.fields, ...rest };
    report.row(reported);
    summary.processed += 1;
    count(summary, reported, isEnd(state) && createdByThisRun(state));
    options.onRow?.(reported);
    options.progress?.update({ done: summary.processed, failed: summary.failed + summary.invalid + summary.duplicates });
    if (reported.status === 'failed' || reported.status === 'invalid' || reported.status === 'duplicate') {
      consoleLines += 1;
      if (consoleLines <= MAX_CONSOLE_ROW_LINES) log(consoleLine(reported));
      else if (consoleLines === MAX_CONSOLE_ROW_LINES + 1) log(`... more rows failed: see ${reportPath}`);
    }
  };

  const inviteOptions: InviteOptions | undefined =
    options.management === undefined
      ? undefined
      : {
          management: options.management,
          mode: options.mode,
          direct: options.direct,
          secondaryVerified: options.secondaryVerified === true,
          application: options.application,
          creationCost: options.creationCost,
          invitedBy: options.invitedBy,
        };
  const confirmations =
    options.mode === 'action' && options.confirm !== false && options.management !== undefined && !dryRun
      ? new ActionInvitations(options.management, options.confirm ?? DEFAULT_CONFIRMATION)
      : undefined;
  const run: InvitationRun = {
    mode: options.mode,
    resend: options.resend === true,
    dryRun,
    confirm: confirmations !== undefined,
    canSend: options.direct !== undefined,
    roles: options.roles ?? [],
  };
  const seen = new Map<string, number>();

  /** The step, performed; a step that throws is answered with its reason. */
  const perform = async (step: RowStep, line: number): Promise<StepAnswer> => {
    try {
      switch (step.kind) {
        case 'look_up_connection':
          return { kind: 'connection', connection: await connections.find(step.name) };
        case 'claim_identities': {
          const of = step.keys.map((key) => seen.get(key)).find((earlier) => earlier !== undefined);
          if (of !== undefined) return { kind: 'duplicate', of };
          for (const key of step.keys) seen.set(key, line);
          return { kind: 'claimed' };
        }
        case 'read_journal':
          return { kind: 'journal', record: journal?.get(line) };
        case 'create_user':
          return await createUser(inviteOptions!, step.user);
        case 'back_off':
          await delay(step.ms * (0.5 + Math.random()));
          return { kind: 'waited' };
        case 'find_user':
          return { kind: 'user_found', user: await findExistingUser(inviteOptions!.management, step.user) };
        case 'assign_roles':
          return await assignRoles(inviteOptions!.management, step.userId, step.roles);
        case 'send_invitation':
          return await sendRowInvitation(inviteOptions!, step.user, step.userId, step.record);
        case 'await_action_record':
          return { kind: 'verdict', verdict: await confirmations!.confirm(step.userId, step.createdAt) };
        case 'end':
          throw new Error('the row has ended');
      }
    } catch (error) {
      return { kind: 'error', reason: failureReason(error) };
    }
  };
  /** One step of the row, then its new state, journaled when the journal's entry for it changed. */
  const advance = async (row: DrivenRow): Promise<void> => {
    const step = row.now.step;
    const answer = await perform(step, row.line);
    if (answer.kind === 'journal') row.journaled = answer.record;
    row.now = nextStep(row.now.state, answer, run, Date.now());
    const entry = journal !== undefined ? journalEntryOf(row.now.state, row.line) : undefined;
    if (entry !== undefined && !sameEntry(entry, row.journaled)) {
      journal!.record(entry);
      row.journaled = entry;
    }
    // The invitation's record, after the journal: a run killed before this write leaves the row done
    // with its record missing (listed as an earlier version's invitation); before the journal, the
    // resumed run would send the email again.
    if (answer.kind === 'invitation_sent' && answer.unrecorded !== undefined && step.kind === 'send_invitation') {
      await recordInvitation(inviteOptions!.management, step.userId, answer.unrecorded);
    }
  };
  /** Steps until the row ends or reaches a step `pauseAt` names. */
  const drive = async (row: DrivenRow, pauseAt: (step: RowStep) => boolean): Promise<void> => {
    while (row.now.step.kind !== 'end' && !pauseAt(row.now.step)) await advance(row);
  };
  const failed = (row: DrivenRow) => (error: unknown) =>
    finish({ ...row, now: { state: { kind: 'failed', reason: failureReason(error) }, step: { kind: 'end' } } });

  const limit = options.concurrency ?? (options.management?.governor.concurrency ?? 4) * 2;
  const inFlight = new Set<Promise<void>>();
  // Rows waiting for the Action's record: they hold no request slot, so creations go on meanwhile.
  const confirming = new Set<Promise<void>>();
  const keep = (set: Set<Promise<void>>, work: Promise<void>) => {
    set.add(work);
    void work.finally(() => set.delete(work));
  };
  options.progress?.start(records);

  try {
    const rows: AsyncIterable<ParsedRow> | Iterable<ParsedRow> =
      options.csvPath !== undefined
        ? readInviteRows(options.csvPath, {
            defaultConnection: options.defaultConnection,
          })
        : [{ ok: true, row: options.user! }];
    for await (const parsed of rows) {
      if (options.signal?.aborted === true) {
        summary.interrupted = true;
        break;
      }
      const row: DrivenRow = { line: parsed.ok ? parsed.row.line : parsed.line, fields: rowFields(parsed.row), now: startRow(parsed) };
      try {
        // In file order, before the row takes a slot: the connection, the duplicate check (the first row claims), the journal.
        await drive(row, (step) => !INLINE_STEPS.has(step.kind));
      } catch (error) {
        failed(row)(error);
        continue;
      }
      if (row.now.step.kind === 'end') {
        finish(row);
        continue;
      }
      const work = drive(row, (step) => step.kind === 'await_action_record').then(() => {
        if (row.now.step.kind === 'end') finish(row);
        else
          keep(
            confirming,
            drive(row, () => false).then(() => finish(row), failed(row)),
          );
      }, failed(row));
      keep(inFlight, work);
      while (inFlight.size >= limit) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (summary.interrupted) confirmations?.hurry();
    while (confirming.size > 0) await Promise.all(confirming);
  } finally {
    await Promise.allSettled(inFlight);
    confirmations?.hurry();
    await Promise.allSettled(confirming);
    options.progress?.stop();
    summary.elapsedMs = Date.now() - started;
    summary.rowsPerSecond = summary.elapsedMs > 0 ? summary.processed / (summary.elapsedMs / 1000) : 0;
    summary.requests = { ...(options.management?.governor.counters ?? zeroCounters()) };
    summary.identitiesTracked = seen.size;
    report.summary(summary);
    report.close();
    journal?.close();
  }
  return summary;
}

/** Steps done as the row is read, in file order; the others run with a few rows in flight. */
const INLINE_STEPS = new Set<RowStep['kind']>(['look_up_connection', 'claim_identities', 'read_journal']);

/** A row on its way: its line, its own fields for the report, where it is, and its last journal entry. */
interface DrivenRow {
  line: number;
  fields: Pick<RowReport, 'connection' | 'email' | 'username'>;
  now: Transition;
  journaled?: JournalEntry | JournalRecord | undefined;
}

function sameEntry(entry: JournalEntry, last: JournalEntry | JournalRecord | undefined): boolean {
  return (
    last !== undefined &&
    entry.state === last.state &&
    entry.key === last.key &&
    entry.via === last.via &&
    entry.userId === last.userId &&
    entry.at === last.at
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rowFields(row: Partial<InviteRow> | undefined): Pick<RowReport, 'connection' | 'email' | 'username'> {
  if (row === undefined) return {};
  return {
    ...(row.connection !== undefined ? { connection: row.connection } : {}),
    ...(row.email !== undefined ? { email: row.email } : {}),
    ...(row.username !== undefined ? { username: row.username } : {}),
  };
}

/** `createdNow`: this run created the row's user (a user an interrupted run created is invited, or confirmed, now, not created now). */
function count(summary: BulkInviteSummary, row: RowReport, createdNow: boolean): void {
  const creates = row.status === 'would_create' || ((row.status === 'created' || row.status === 'invited') && createdNow);
  if (creates && row.connection !== undefined) summary.byConnection[row.connection] = (summary.byConnection[row.connection] ?? 0) + 1;
  switch (row.status) {
    case 'created':
      // The invitation is the Action's and was not seen sent (unchecked, or the run stopped first).
      if (createdNow) summary.created += 1;
      summary.awaitingAction += 1;
      break;
    case 'invited':
      if (createdNow) summary.created += 1;
      summary.invited += 1;
      break;
    case 'resent':
      summary.resent += 1;
      summary.invited += 1;
      break;
    case 'exists':
      summary.existing += 1;
      break;
    case 'done_earlier':
      summary.doneEarlier += 1;
      break;
    case 'duplicate':
      summary.duplicates += 1;
      break;
    case 'invalid':
      summary.invalid += 1;
      break;
    case 'would_create':
      summary.wouldCreate += 1;
      break;
    case 'failed':
      summary.failed += 1;
      // A user created whose invitation failed (or was not seen sent) still counts as created.
      if (createdNow) summary.created += 1;
      break;
  }
}

/** A console line for a row that did not go through: line number, status, reason. No email. */
function consoleLine(row: RowReport): string {
  const detail =
    row.status === 'duplicate'
      ? `same user as line ${row.duplicate_of}`
      : row.status === 'invalid' && row.reason === 'invalid_row'
        ? (row.errors ?? []).join('; ')
        : (row.reason ?? '');
  // Line 0: the one user given by flags.
  return `${row.line > 0 ? `line ${row.line}` : 'the user'}: ${row.status} ${detail}${row.user_id !== undefined ? ` (user ${row.user_id})` : ''}`;
}

function zeroCounters(): RateCounters {
  return { requests: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0, malformedResponses: 0, retries: 0, waitedMs: 0 };
}
