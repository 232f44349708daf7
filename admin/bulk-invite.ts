import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { connectionsFromTenant, type ConnectionDirectory, type ConnectionIdentity } from './connections';
import { checkCsvHeader, readInviteRows, scanCsv, type InviteRow } from './csv-rows';
import {
  connectionProblems,
  CREATED_BY_EARLIER_RUN,
  createAndInvite,
  inviteCreatedUser,
  type DirectInvitation,
  type InviteOptions,
  type InviteResult,
  newUserFromRow,
} from './invite-user';
import { ActionInvitations, DEFAULT_CONFIRMATION, type ConfirmationTiming, type InvitationVerdict } from './invitation-confirmations';
import { failureReason, type AdminManagement } from './management';
import type { Progress } from './progress';
import type { RateCounters } from './rate-limit';
import { ReportWriter, type RowReport, type RowStatus } from './report';
import { journalPath, RunJournal, type JournalRecord } from './run-journal';

/**
 * Invites every user of a CSV: streamed (one row in memory per request in flight), paced by the
 * rate governor, resumable through the run journal, every row's outcome in the report file.
 *
 * Memory that grows with the file: the duplicate check keeps one 12-character hash per
 * identity (connection + email on connections with unique emails, connection + username):
 * measured, 7 MB of live heap per 100,000 rows (a --dry-run). A real run's journal adds one
 * record per row done: measured, 18 MB per 100,000 rows read back on resume.
 */

export const DEFAULT_STATE_DIR = '.admin-runs';

export interface BulkInviteOptions {
  csvPath: string;
  /** Needed unless `dryRun` with `connections`. */
  management?: AdminManagement;
  /** Where connection names are checked; default: the tenant (Management API). */
  connections?: ConnectionDirectory;
  mode: 'action' | 'direct';
  /** Ticket and SendGrid settings: needed for `direct` and `resend`. */
  direct?: DirectInvitation;
  resend?: boolean;
  secondaryVerified?: boolean;
  /** The connection of rows whose `connection` field is empty. */
  defaultConnection?: string;
  /** Validate the whole file and say what would be done; nothing is created or sent, no journal. */
  dryRun?: boolean;
  /** Journal (and default report) folder. Default `.admin-runs`. */
  stateDir?: string;
  /** Default `<stateDir>/invite-<csv name>-<time>.report.jsonl`. */
  reportPath?: string;
  /** fdatasync the journal after every row (survives a power cut; slower). */
  durableJournal?: boolean;
  /** Rows in flight at once. Default: twice the governor's concurrency. */
  concurrency?: number;
  /**
   * Action mode: how long to wait for the Action's record of each invitation
   * (`app_metadata.invitation_email_sent`); `false` leaves the rows `created`, unchecked.
   */
  confirm?: ConfirmationTiming | false;
  /** Requests one creation costs in Action mode (see InviteOptions.creationCost). */
  creationCost?: (connection: string) => number;
  /** Stops reading rows; the rows in flight finish, and the run can be resumed. */
  signal?: AbortSignal;
  progress?: Progress;
  /** Console lines (never an email): failures by line number. */
  log?: (line: string) => void;
  /** Each row's outcome, as written to the report. */
  onRow?: (row: RowReport) => void;
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

/** The identities a row claims on its connection: email where emails are unique, username always. */
export function identityKeys(row: Pick<InviteRow, 'email' | 'username'>, connection: ConnectionIdentity): string[] {
  const keys: string[] = [];
  if (connection.emailUnique) keys.push(`e\0${connection.name}\0${row.email.toLowerCase()}`);
  if (row.username !== undefined) keys.push(`u\0${connection.name}\0${row.username.toLowerCase()}`);
  // 72 bits of SHA-256: a collision among 10^6 identities has odds below 10^-9.
  return keys.map((key) => createHash('sha256').update(key).digest('base64').slice(0, 12));
}

const MAX_CONSOLE_ROW_LINES = 50;

export async function runBulkInvite(options: BulkInviteOptions): Promise<BulkInviteSummary> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  if (options.management === undefined && (!dryRun || options.connections === undefined)) {
    throw new Error('runBulkInvite needs a Management API client (or, for a dry run, a connection directory).');
  }
  if ((options.mode === 'direct' || options.resend === true) && options.direct === undefined && !dryRun) {
    throw new Error('Sending invitations from the script (--direct, --resend) needs the ticket and SendGrid settings.');
  }
  const connections = options.connections ?? connectionsFromTenant(options.management!.client);
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const log = options.log ?? (() => {});

  // A file that cannot be read or has a bad header leaves no journal and no report behind.
  await checkCsvHeader(options.csvPath);
  const scan = await scanCsv(options.csvPath);
  const journal = dryRun
    ? undefined
    : RunJournal.open(journalPath(stateDir, options.csvPath, scan.sha256), { durable: options.durableJournal === true });
  const reportPath =
    options.reportPath ??
    join(
      stateDir,
      `invite-${basename(options.csvPath).replace(/[^A-Za-z0-9._-]/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.report.jsonl`,
    );
  const report = new ReportWriter(reportPath);

  const summary: BulkInviteSummary = {
    rows: scan.records,
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
  const finish = (row: RowReport) => {
    report.row(row);
    summary.processed += 1;
    count(summary, row);
    options.onRow?.(row);
    options.progress?.update({ done: summary.processed, failed: summary.failed + summary.invalid + summary.duplicates });
    if (row.status === 'failed' || row.status === 'invalid' || row.status === 'duplicate') {
      consoleLines += 1;
      if (consoleLines <= MAX_CONSOLE_ROW_LINES) log(consoleLine(row));
      else if (consoleLines === MAX_CONSOLE_ROW_LINES + 1) log(`... more rows failed: see ${reportPath}`);
    }
  };

  const inviteOptions: InviteOptions | undefined =
    options.management === undefined
      ? undefined
      : {
          management: options.management,
          mode: options.mode,
          ...(options.direct !== undefined ? { direct: options.direct } : {}),
          resend: options.resend === true,
          secondaryVerified: options.secondaryVerified === true,
          ...(options.creationCost !== undefined ? { creationCost: options.creationCost } : {}),
        };
  const confirmations =
    options.mode === 'action' && options.confirm !== false && options.management !== undefined && !dryRun
      ? new ActionInvitations(options.management, options.confirm ?? DEFAULT_CONFIRMATION)
      : undefined;
  const limit = options.concurrency ?? (options.management?.governor.concurrency ?? 4) * 2;
  const inFlight = new Set<Promise<void>>();
  // Rows waiting for the Action's record: they hold no request slot, so creations go on meanwhile.
  const confirming = new Set<Promise<void>>();
  const settle = (later: Promise<RowReport>, row: InviteRow) => {
    const done = later.then(finish, (error) =>
      finish({ line: row.line, status: 'failed', ...rowFields(row), reason: failureReason(error) }),
    );
    confirming.add(done);
    void done.finally(() => confirming.delete(done));
  };
  const seen = new Map<string, number>();
  options.progress?.start(scan.records);

  try {
    for await (const parsed of readInviteRows(options.csvPath, {
      ...(options.defaultConnection !== undefined ? { defaultConnection: options.defaultConnection } : {}),
    })) {
      if (options.signal?.aborted === true) {
        summary.interrupted = true;
        break;
      }
      if (!parsed.ok) {
        finish({ line: parsed.line, status: 'invalid', ...rowFields(parsed.row), errors: parsed.errors, reason: 'invalid_row' });
        continue;
      }
      const row = parsed.row;
      let connection: ConnectionIdentity | undefined;
      try {
        connection = await connections.find(row.connection);
      } catch (error) {
        finish({ line: row.line, status: 'failed', ...rowFields(row), reason: `connection_lookup_${failureReason(error)}` });
        continue;
      }
      if (connection === undefined) {
        finish({
          line: row.line,
          status: 'invalid',
          ...rowFields(row),
          reason: 'unknown_connection',
          errors: [`no database connection named ${row.connection}`],
        });
        continue;
      }
      const problems = connectionProblems(row, connection);
      if (problems.length > 0) {
        finish({ line: row.line, status: 'invalid', ...rowFields(row), reason: 'invalid_row', errors: problems });
        continue;
      }
      const keys = identityKeys(row, connection);
      const duplicateOf = keys.map((key) => seen.get(key)).find((line) => line !== undefined);
      if (duplicateOf !== undefined) {
        finish({ line: row.line, status: 'duplicate', ...rowFields(row), duplicate_of: duplicateOf, reason: 'duplicate_in_file' });
        continue;
      }
      for (const key of keys) seen.set(key, row.line);
      const journalKey = keys[0] ?? `line-${row.line}`;

      if (dryRun) {
        finish({ line: row.line, status: 'would_create', ...rowFields(row) });
        continue;
      }
      const earlier = journal?.get(row.line);
      const matches = earlier !== undefined && earlier.key === journalKey;
      if (matches && isDone(earlier)) {
        finish({
          line: row.line,
          status: 'done_earlier',
          ...rowFields(row),
          ...(earlier.userId !== undefined ? { user_id: earlier.userId } : {}),
        });
        continue;
      }

      const work = processRow(inviteOptions!, journal!, confirmations, row, connection, journalKey, matches ? earlier : undefined).then(
        (outcome) => ('later' in outcome ? settle(outcome.later, row) : finish(outcome.row)),
        (error) => finish({ line: row.line, status: 'failed', ...rowFields(row), reason: failureReason(error) }),
      );
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
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

type RowOutcome = { row: RowReport } | { later: Promise<RowReport> };

/** What became of a row, before it is written to the report. */
interface RowResult {
  status: RowStatus;
  userId?: string;
  reason?: string;
  errors?: string[];
  /** The user was created by an earlier run: not counted as created by this one. */
  earlierRun?: boolean;
}

async function processRow(
  options: InviteOptions,
  journal: RunJournal,
  confirmations: ActionInvitations | undefined,
  row: InviteRow,
  connection: ConnectionIdentity,
  key: string,
  earlier: JournalRecord | undefined,
): Promise<RowOutcome> {
  const user = newUserFromRow(row, connection);
  const report = (result: RowResult): RowReport => ({
    line: row.line,
    status: result.status,
    ...rowFields(row),
    ...(result.userId !== undefined ? { user_id: result.userId } : {}),
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    ...(result.errors !== undefined ? { errors: result.errors } : {}),
    ...(result.earlierRun === true || result.reason === CREATED_BY_EARLIER_RUN ? { earlier_run: true as const } : {}),
  });

  if (earlier?.state === 'created' && earlier.via === 'action' && earlier.userId !== undefined) {
    // Created by an earlier run; the Action's invitation was not seen sent then.
    const userId = earlier.userId;
    if (confirmations === undefined)
      return { row: report({ status: 'created', userId, reason: 'invitation_not_checked', earlierRun: true }) };
    return {
      later: confirmations
        .confirm(userId, earlier.at ?? 0)
        .then(async (verdict) => report({ ...(await afterEarlierRun(verdict, userId)), earlierRun: true })),
    };
  }

  let result: InviteResult;
  if (earlier?.state === 'created' && earlier.via === 'direct' && earlier.userId !== undefined) {
    // Created by an interrupted run whose invitation was not sent.
    result = await inviteCreatedUser(options, user, earlier.userId);
    if (result.status === 'invited') result = { ...result, reason: CREATED_BY_EARLIER_RUN };
  } else {
    result = await createAndInvite(options, user, {
      ...(earlier?.state === 'pending' ? { inDoubtSince: earlier.at ?? 0, doubtFromEarlierRun: true } : {}),
      beforeCreate: () => journal.record({ line: row.line, key, state: 'pending', at: Date.now() }),
      // Direct mode: a run stopped before the invitation went out sends only the invitation next time.
      afterCreate: (userId) => {
        if (options.mode === 'direct') journal.record({ line: row.line, key, state: 'created', via: 'direct', userId });
      },
    });
  }
  switch (result.status) {
    case 'created': {
      // A 409 for a row an interrupted run left pending: that run's creation, at that run's time.
      const earlierRun = result.reason === CREATED_BY_EARLIER_RUN;
      const createdAt = earlierRun ? (earlier?.at ?? 0) : Date.now();
      journal.record({
        line: row.line,
        key,
        state: 'created',
        via: 'action',
        at: createdAt,
        ...(result.userId !== undefined ? { userId: result.userId } : {}),
      });
      if (result.userId === undefined) break;
      if (confirmations === undefined) return { row: report({ ...result, reason: 'invitation_not_checked' }) };
      const userId = result.userId;
      return {
        later: confirmations.confirm(userId, createdAt).then((verdict) => {
          const outcome = { ...afterCreation(verdict, userId, earlierRun), earlierRun };
          if (outcome.status === 'invited' || outcome.status === 'done_earlier') {
            journal.record({ line: row.line, key, state: 'invited', via: 'action', userId });
          }
          return report(outcome);
        }),
      };
    }
    case 'invited':
    case 'resent':
    case 'exists':
      journal.record({ line: row.line, key, state: result.status, ...(result.userId !== undefined ? { userId: result.userId } : {}) });
      break;
    case 'failed':
      // Created but not invited (direct): `created` is in the journal already, the next run sends the invitation only.
      break;
  }
  return { row: report(result) };

  /** A user this run created (or an interrupted one, found by its 409), now that the Action's record is seen or not. */
  function afterCreation(verdict: InvitationVerdict, userId: string, earlierRun: boolean): RowResult {
    switch (verdict.state) {
      case 'sent':
        return { status: earlierRun ? 'done_earlier' : 'invited', userId };
      case 'not_sent':
        return { status: 'failed', userId, reason: 'invitation_not_sent', errors: [NOT_SENT_HELP] };
      case 'no_user':
        return { status: 'failed', userId, reason: 'user_not_found' };
      case 'unknown':
        return unknownOutcome(verdict.reason, userId);
    }
  }

  /** A user an earlier run created whose invitation that run did not see sent: seen now, or sent now from here. */
  async function afterEarlierRun(verdict: InvitationVerdict, userId: string): Promise<RowResult> {
    switch (verdict.state) {
      case 'sent':
        journal.record({ line: row.line, key, state: 'invited', via: 'action', userId });
        return { status: 'done_earlier', userId, reason: 'invitation_confirmed' };
      case 'no_user':
        return { status: 'failed', userId, reason: 'user_not_found' };
      case 'unknown':
        return unknownOutcome(verdict.reason, userId);
      case 'not_sent': {
        // Settled long ago without the record: the Action is not going to send it.
        if (options.direct === undefined) return { status: 'failed', userId, reason: 'invitation_not_sent', errors: [NOT_SENT_HELP] };
        const sent = await inviteCreatedUser(options, user, userId, { record: true });
        if (sent.status !== 'invited') return sent;
        journal.record({ line: row.line, key, state: 'invited', via: 'direct', userId });
        // `not_recorded_*` when the record failed (the email went out); else: created by the earlier run, invited now.
        return { ...sent, reason: sent.reason ?? CREATED_BY_EARLIER_RUN };
      }
    }
  }
}

/** Not seen either way: the run was stopped first (a rerun looks again), or the lookup failed (a failure, to rerun). */
function unknownOutcome(reason: string, userId: string): RowResult {
  return reason === 'invitation_unconfirmed' ? { status: 'created', userId, reason } : { status: 'failed', userId, reason };
}

const NOT_SENT_HELP =
  'The post-user-registration Action did not record the invitation (app_metadata.invitation_email_sent); see its logs. ' +
  'Run the same command again to send it from this script (ticket + SendGrid), or `npm run resend -- --user-id <id>`.';

function isDone(record: JournalRecord): boolean {
  return record.state !== 'pending' && record.state !== 'created';
}

function rowFields(row: Partial<InviteRow> | undefined): Pick<RowReport, 'connection' | 'email' | 'username'> {
  if (row === undefined) return {};
  return {
    ...(row.connection !== undefined ? { connection: row.connection } : {}),
    ...(row.email !== undefined ? { email: row.email } : {}),
    ...(row.username !== undefined ? { username: row.username } : {}),
  };
}

function count(summary: BulkInviteSummary, row: RowReport): void {
  // A user an interrupted run created is invited (or confirmed) now, not created now.
  const createdNow = row.user_id !== undefined && row.earlier_run !== true && row.reason !== CREATED_BY_EARLIER_RUN;
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
      if (createdNow && !row.reason?.startsWith('resend_')) summary.created += 1;
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
  return `line ${row.line}: ${row.status} ${detail}${row.user_id !== undefined ? ` (user ${row.user_id})` : ''}`;
}

function zeroCounters(): RateCounters {
  return { requests: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0, malformedResponses: 0, retries: 0, waitedMs: 0 };
}
