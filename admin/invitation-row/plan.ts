import { createHash } from 'node:crypto';
import type { ConnectionIdentity } from '../connections';
import type { InviteRow, ParsedRow } from '../csv-rows';
import type { FoundUser } from '../find-user';
import type { InvitationVerdict } from '../invitation-confirmations';
import type { InvitationRecord } from '../../actions/shared/invitation-record';
import type { RowReport } from '../report';
import type { JournalEntry, JournalRecord } from '../run-journal';

/**
 * The life of one row of an invitation, from the CSV line (or the flags of one user) to its
 * report line: a typed state, and `nextStep`, which decides from the state and the answer to the
 * last step what the row is now and what to do next. Pure: no request, no clock, no file; the
 * driver (admin/bulk-invite.ts) performs the steps and writes what `journalEntryOf` and
 * `reportOf` say.
 *
 * Where an interrupted run left a row: the journal records the states a run can resume from
 * (`pending`, `created`, `invited`, `exists`, `resent`), and a resumed row starts from that record.
 */

/** The user a valid row describes, on its connection. */
export interface NewUser {
  email: string;
  connection: ConnectionIdentity;
  username?: string;
  name?: string;
  locale?: string;
  secondaryEmail?: string;
}

/** What is the same for every row of a run. */
export interface InvitationRun {
  /** `action`: the post-user-registration Action invites; `direct`: the script does (ticket + SendGrid). */
  mode: 'action' | 'direct';
  /** Invite users that already exist again, from the script. */
  resend: boolean;
  /** Validate and claim only: nothing is created or sent. */
  dryRun: boolean;
  /** Action mode: the Action's record of each invitation is looked for (`--no-confirm` turns it off). */
  confirm: boolean;
  /** The ticket and SendGrid settings are there: the script can send an invitation the Action never sent. */
  canSend: boolean;
  /** Role ids each created user is given (`--roles`) before its invitation goes on; empty: none. */
  roles: readonly string[];
}

/** Who created the user: this run, or an earlier run of the same file (found in its journal, or by a 409 for a row it left pending). */
export type Creator = 'this_run' | 'earlier_run';

/** Since when a creation may have happened without our knowing, and whether an earlier run left that doubt. */
export interface Doubt {
  /** ms since epoch: the start of the first unanswered attempt (or the earlier run's `pending` entry). */
  since: number;
  byEarlierRun: boolean;
}

interface Identified {
  user: NewUser;
  /** The row's key in the journal (a hash of its first identity). */
  key: string;
}

export type RowState =
  // Before the tenant is asked to change anything.
  /** A valid row; its connection is looked up next. */
  | { kind: 'parsed'; row: InviteRow }
  /** The connection exists and the row fits it; its identities are claimed against the rows before it. */
  | { kind: 'checked'; user: NewUser; keys: string[]; key: string }
  /** No earlier row is the same user; the journal says what an earlier run did. */
  | ({ kind: 'claimed' } & Identified)
  // Creating the user (the journal says `pending`).
  | ({ kind: 'creating'; attempt: number; sentAt: number; doubt?: Doubt } & Identified)
  /** The last attempt got no clear answer: the next one waits a little. */
  | ({ kind: 'backing_off'; attempt: number; doubt: Doubt } & Identified)
  /** A 409 after an unanswered attempt: the user is looked up to tell our creation from an older user. */
  | ({ kind: 'in_doubt'; doubt: Doubt } & Identified)
  /** The user existed before (409) and is invited again (`--resend`): found, then sent. */
  | ({ kind: 'finding_existing' } & Identified)
  | ({ kind: 'resending'; userId: string } & Identified)
  // Created.
  /**
   * Created; its roles are being assigned (`--roles`; journal: `created`, as the step after it
   * writes). Assigning is idempotent: a resumed row assigns them again.
   */
  | ({
      kind: 'assigning_roles';
      userId: string;
      by: Creator;
      createdAt: number;
      via: 'action' | 'direct';
      waitedBefore: boolean;
    } & Identified)
  /** Direct mode: created, the script's invitation is being sent (journal: `created`, via direct). */
  | ({ kind: 'created'; userId: string; by: Creator } & Identified)
  /**
   * Action mode: created, the Action's record of the invitation is awaited (journal: `created`,
   * via action, with the creation time). `waitedBefore`: an earlier run waited for it already.
   */
  | ({ kind: 'awaiting_action'; userId: string; createdAt: number; by: Creator; waitedBefore: boolean } & Identified)
  /** The Action never sent it (an earlier run waited in vain): the script sends and records it. */
  | ({ kind: 'sending_for_action'; userId: string; createdAt: number } & Identified)
  // Ends: each is one report line.
  | { kind: 'refused'; status: 'invalid' | 'duplicate'; reason: string; errors?: string[]; duplicateOf?: number }
  | { kind: 'would_create' }
  | { kind: 'done_earlier'; userId?: string }
  /** Invited: by the script (`via: direct`), or by the Action and seen recorded (`via: action`). */
  | { kind: 'invited'; key: string; userId: string; via: 'action' | 'direct'; by: Creator; reason?: string }
  /** Left to the Action and not seen sent: unchecked (`--no-confirm`), or the run stopped first. */
  | { kind: 'left_to_action'; key: string; userId: string; createdAt: number; by: Creator; reason: string }
  | { kind: 'exists'; key: string; userId?: string }
  | { kind: 'resent'; key: string; userId: string }
  /** `by`: a user was created for this row (by this run or an earlier one) and its invitation failed. */
  | { kind: 'failed'; reason: string; errors?: string[]; userId?: string; by?: Creator };

export type EndState = Extract<
  RowState,
  { kind: 'refused' | 'would_create' | 'done_earlier' | 'invited' | 'left_to_action' | 'exists' | 'resent' | 'failed' }
>;

/** What the driver does next for the row. */
export type RowStep =
  | { kind: 'look_up_connection'; name: string }
  /** The first row to claim an identity owns it; a later one is its duplicate. */
  | { kind: 'claim_identities'; keys: string[] }
  | { kind: 'read_journal' }
  | { kind: 'create_user'; user: NewUser }
  /** Wait about `ms` (the driver spreads it, 0.5 to 1.5 times) before the next attempt. */
  | { kind: 'back_off'; ms: number }
  /** The user a 409 was about: by username when the row has one, else by email. */
  | { kind: 'find_user'; user: NewUser }
  /** Give the created user the run's roles (`POST /api/v2/users/{id}/roles`). */
  | { kind: 'assign_roles'; userId: string; roles: readonly string[] }
  /** Ticket + SendGrid; `record`: also set `invitation_email_sent`, as the Action does. */
  | { kind: 'send_invitation'; user: NewUser; userId: string; record: boolean }
  /** Wait for the Action's record of the invitation (admin/invitation-confirmations.ts). */
  | { kind: 'await_action_record'; userId: string; createdAt: number }
  | { kind: 'end' };

/** The answer to the last step. */
export type StepAnswer =
  | { kind: 'connection'; connection: ConnectionIdentity | undefined }
  | { kind: 'claimed' }
  | { kind: 'duplicate'; of: number }
  | { kind: 'journal'; record: JournalRecord | undefined }
  | { kind: 'user_created'; userId: string }
  /** 409: a user with the row's email (unique-email connection) or username exists. */
  | { kind: 'conflict' }
  /** A 4xx: Auth0 refused, nothing was created. */
  | { kind: 'refused'; reason: string; errors?: string[] }
  /** A 5xx, no answer, or an answer without a user id: the user may or may not exist. */
  | { kind: 'no_answer'; reason: string; errors?: string[] }
  | { kind: 'waited' }
  | { kind: 'user_found'; user: FoundUser | undefined }
  /** `notRecorded`: the email went out, its record in app_metadata failed (`not_recorded_<reason>`). */
  /**
   * `unrecorded`: sent without its record in app_metadata (a step that does not depend on it): the
   * driver writes it once the row's journal entry is written, so that a run killed in between
   * never sends the email twice.
   */
  | { kind: 'invitation_sent'; notRecorded?: string; unrecorded?: InvitationRecord }
  | { kind: 'invitation_failed'; reason: string }
  | { kind: 'roles_assigned' }
  | { kind: 'roles_failed'; reason: string; errors?: string[] }
  | { kind: 'verdict'; verdict: InvitationVerdict }
  /** The step threw (a lookup that failed after the governor's retries, an aborted request). */
  | { kind: 'error'; reason: string };

export interface Transition {
  state: RowState;
  step: RowStep;
}

/** Creation attempts per row: a creation without a clear answer is retried by the row, never by the governor. */
export const CREATE_ATTEMPTS = 4;
export const CREATE_BACKOFF_MS = 500;
/** Clock difference allowed between this machine and Auth0 when telling our own creation from an older user. */
export const CLOCK_SKEW_MS = 60_000;

/** The reason of a row whose user an interrupted run created and this run invited. */
export const CREATED_BY_EARLIER_RUN = 'created_by_earlier_run';

export const NOT_SENT_HELP =
  'The post-user-registration Action did not record the invitation (app_metadata.invitation_email_sent); see its logs. ' +
  'Run the same command again to send it from this script (ticket + SendGrid), or `npm run resend -- --user-id <id>`.';

/** Where a row read from the file (or given by flags) starts. */
export function startRow(parsed: ParsedRow): Transition {
  if (!parsed.ok) return end({ kind: 'refused', status: 'invalid', reason: 'invalid_row', errors: parsed.errors });
  return { state: { kind: 'parsed', row: parsed.row }, step: { kind: 'look_up_connection', name: parsed.row.connection } };
}

/**
 * The row's next state and step, from its state and the answer to the step it was at. `now`
 * (ms since epoch) dates a creation attempt and a creation.
 */
export function nextStep(state: RowState, answer: StepAnswer, run: InvitationRun, now: number): Transition {
  switch (state.kind) {
    case 'parsed': {
      if (answer.kind === 'error') return end({ kind: 'failed', reason: `connection_lookup_${answer.reason}` });
      const { connection } = answerOf(answer, 'connection', state);
      const { row } = state;
      if (connection === undefined) {
        return end({
          kind: 'refused',
          status: 'invalid',
          reason: 'unknown_connection',
          errors: [`no database connection named ${row.connection}`],
        });
      }
      const problems = connectionProblems(row, connection);
      if (problems.length > 0) return end({ kind: 'refused', status: 'invalid', reason: 'invalid_row', errors: problems });
      const keys = identityKeys(row, connection);
      const checked = { kind: 'checked', user: newUserFromRow(row, connection), keys, key: keys[0] ?? `line-${row.line}` } as const;
      return { state: checked, step: { kind: 'claim_identities', keys } };
    }
    case 'checked': {
      if (answer.kind === 'duplicate')
        return end({ kind: 'refused', status: 'duplicate', reason: 'duplicate_in_file', duplicateOf: answer.of });
      answerOf(answer, 'claimed', state);
      if (run.dryRun) return end({ kind: 'would_create' });
      return { state: { kind: 'claimed', user: state.user, key: state.key }, step: { kind: 'read_journal' } };
    }
    case 'claimed':
      return resume(state, answerOf(answer, 'journal', state).record, run, now);
    case 'creating':
      return afterAttempt(state, answer, run, now);
    case 'backing_off':
      answerOf(answer, 'waited', state);
      return attempt(state, state.attempt + 1, state.doubt, now);
    case 'in_doubt': {
      if (answer.kind === 'error') return end({ kind: 'failed', reason: answer.reason });
      const found = answerOf(answer, 'user_found', state).user;
      // Created by our unanswered attempt, or there before? Ours carries the invitation flag and is recent.
      const ours =
        found !== undefined &&
        found.app_metadata.invite === true &&
        (found.created_at === undefined || Date.parse(found.created_at) >= state.doubt.since - CLOCK_SKEW_MS);
      if (!ours) return existing(state, run, found);
      const by: Creator = state.doubt.byEarlierRun ? 'earlier_run' : 'this_run';
      // A 409 for a row an interrupted run left pending: that run's creation, at that run's time.
      return created(state, found.user_id, by, by === 'earlier_run' ? state.doubt.since : now, run);
    }
    case 'finding_existing': {
      if (answer.kind === 'error') return end({ kind: 'failed', reason: `lookup_${answer.reason}` });
      const found = answerOf(answer, 'user_found', state).user;
      if (found === undefined) return end({ kind: 'failed', reason: 'exists_not_found' });
      return resendTo(state, found.user_id);
    }
    case 'resending': {
      if (answer.kind === 'error') return end({ kind: 'failed', reason: answer.reason, userId: state.userId });
      if (answer.kind === 'invitation_failed') return end({ kind: 'failed', reason: `resend_${answer.reason}`, userId: state.userId });
      answerOf(answer, 'invitation_sent', state);
      return end({ kind: 'resent', key: state.key, userId: state.userId });
    }
    case 'created': {
      const { userId, by } = state;
      if (answer.kind === 'error') return end({ kind: 'failed', reason: answer.reason, userId, by });
      // Failed: `created` stays in the journal, and the next run sends the invitation only.
      if (answer.kind === 'invitation_failed') return end({ kind: 'failed', reason: `invite_${answer.reason}`, userId, by });
      answerOf(answer, 'invitation_sent', state);
      return end({
        kind: 'invited',
        key: state.key,
        userId,
        via: 'direct',
        by,
        ...(by === 'earlier_run' ? { reason: CREATED_BY_EARLIER_RUN } : {}),
      });
    }
    case 'assigning_roles': {
      const { userId, by } = state;
      // Failed: `created` stays in the journal; the next run assigns the roles again, then goes on.
      if (answer.kind === 'error' || answer.kind === 'roles_failed') {
        return end({
          kind: 'failed',
          reason: `roles_${answer.reason}`,
          ...('errors' in answer && answer.errors !== undefined ? { errors: answer.errors } : {}),
          userId,
          by,
        });
      }
      answerOf(answer, 'roles_assigned', state);
      return afterRoles(state, run);
    }
    case 'awaiting_action':
      return afterVerdict(state, answer, run);
    case 'sending_for_action': {
      const { userId } = state;
      const by = 'earlier_run';
      if (answer.kind === 'error') return end({ kind: 'failed', reason: answer.reason, userId, by });
      if (answer.kind === 'invitation_failed') return end({ kind: 'failed', reason: `invite_${answer.reason}`, userId, by });
      const { notRecorded } = answerOf(answer, 'invitation_sent', state);
      // `not_recorded_*` when the record failed (the email went out); else: created by the earlier run, invited now.
      return end({ kind: 'invited', key: state.key, userId, via: 'direct', by, reason: notRecorded ?? CREATED_BY_EARLIER_RUN });
    }
    case 'refused':
    case 'would_create':
    case 'done_earlier':
    case 'invited':
    case 'left_to_action':
    case 'exists':
    case 'resent':
    case 'failed':
      throw new Error(`row already ended (${state.kind}): no step was asked`);
  }
}

/** The row as an earlier run of the same file left it (the journal's entry for its line, if it is the same row). */
function resume(
  state: Extract<RowState, { kind: 'claimed' }>,
  record: JournalRecord | undefined,
  run: InvitationRun,
  now: number,
): Transition {
  const earlier = record !== undefined && record.key === state.key ? record : undefined;
  if (earlier === undefined) return attempt(state, 1, undefined, now);
  switch (earlier.state) {
    case 'invited':
    case 'exists':
    case 'resent':
      return end({ kind: 'done_earlier', ...(earlier.userId !== undefined ? { userId: earlier.userId } : {}) });
    case 'pending':
      // The earlier run sent a creation and never learnt its answer: a 409 now may be that creation.
      return attempt(state, 1, { since: earlier.at ?? 0, byEarlierRun: true }, now);
    case 'created': {
      if (earlier.userId === undefined) return attempt(state, 1, undefined, now);
      const { userId } = earlier;
      // Direct mode: the earlier run was stopped before the invitation went out; only the invitation is sent.
      // Action mode: the Action's invitation was not seen sent by the earlier run: looked for again.
      // Either way the roles first, again: the earlier run may have stopped (or failed) before they were given.
      const via = earlier.via === 'direct' ? 'direct' : 'action';
      return withRoles({ ...state, userId, by: 'earlier_run', createdAt: earlier.at ?? 0, via, waitedBefore: true }, run);
    }
    default:
      return attempt(state, 1, undefined, now);
  }
}

function attempt(row: Identified, number: number, doubt: Doubt | undefined, now: number): Transition {
  return {
    state: { kind: 'creating', user: row.user, key: row.key, attempt: number, sentAt: now, ...(doubt !== undefined ? { doubt } : {}) },
    step: { kind: 'create_user', user: row.user },
  };
}

function afterAttempt(state: Extract<RowState, { kind: 'creating' }>, answer: StepAnswer, run: InvitationRun, now: number): Transition {
  switch (answer.kind) {
    case 'user_created':
      return created(state, answer.userId, 'this_run', now, run);
    case 'conflict':
      if (state.doubt === undefined) return existing(state, run, undefined);
      return {
        state: { kind: 'in_doubt', user: state.user, key: state.key, doubt: state.doubt },
        step: { kind: 'find_user', user: state.user },
      };
    case 'refused':
    case 'error':
      // An answer: Auth0 refused, nothing was created (or the attempt was aborted).
      return end({
        kind: 'failed',
        reason: answer.reason,
        ...('errors' in answer && answer.errors !== undefined ? { errors: answer.errors } : {}),
      });
    case 'no_answer': {
      if (state.attempt >= CREATE_ATTEMPTS) {
        return end({ kind: 'failed', reason: answer.reason, ...(answer.errors !== undefined ? { errors: answer.errors } : {}) });
      }
      const doubt = state.doubt ?? { since: state.sentAt, byEarlierRun: false };
      // Let other requests go first: an unanswered creation retried at once tends to meet the same trouble.
      return {
        state: { kind: 'backing_off', user: state.user, key: state.key, attempt: state.attempt, doubt },
        step: { kind: 'back_off', ms: CREATE_BACKOFF_MS * state.attempt },
      };
    }
    default:
      throw unexpected(answer, state);
  }
}

/** The user exists: by this run's attempt (or the earlier run's), `createdAt` its creation time. */
function created(row: Identified, userId: string, by: Creator, createdAt: number, run: InvitationRun): Transition {
  return withRoles({ ...row, userId, by, createdAt, via: run.mode, waitedBefore: false }, run);
}

type CreatedRow = Identified & { userId: string; by: Creator; createdAt: number; via: 'action' | 'direct'; waitedBefore: boolean };

/** The run's roles first (when it gives any), then the invitation: the invitee's first login already has them. */
function withRoles(row: CreatedRow, run: InvitationRun): Transition {
  if (run.roles.length === 0) return afterRoles(row, run);
  const { user, key, userId, by, createdAt, via, waitedBefore } = row;
  return {
    state: { kind: 'assigning_roles', user, key, userId, by, createdAt, via, waitedBefore },
    step: { kind: 'assign_roles', userId, roles: run.roles },
  };
}

function afterRoles(row: CreatedRow, run: InvitationRun): Transition {
  if (row.via === 'direct') return sendFromCreated(row);
  return awaitAction(row, run);
}

function sendFromCreated(row: Identified & { userId: string; by: Creator }): Transition {
  return {
    state: { kind: 'created', user: row.user, key: row.key, userId: row.userId, by: row.by },
    step: { kind: 'send_invitation', user: row.user, userId: row.userId, record: false },
  };
}

function awaitAction(
  row: Identified & { userId: string; createdAt: number; by: Creator; waitedBefore: boolean },
  run: InvitationRun,
): Transition {
  const { userId, createdAt, by } = row;
  if (!run.confirm) return end({ kind: 'left_to_action', key: row.key, userId, createdAt, by, reason: 'invitation_not_checked' });
  return {
    state: { kind: 'awaiting_action', user: row.user, key: row.key, userId, createdAt, by, waitedBefore: row.waitedBefore },
    step: { kind: 'await_action_record', userId, createdAt },
  };
}

function afterVerdict(state: Extract<RowState, { kind: 'awaiting_action' }>, answer: StepAnswer, run: InvitationRun): Transition {
  const { userId, by, createdAt } = state;
  if (answer.kind === 'error') return end({ kind: 'failed', reason: answer.reason, userId, by });
  const { verdict } = answerOf(answer, 'verdict', state);
  switch (verdict.state) {
    case 'sent':
      return end({
        kind: 'invited',
        key: state.key,
        userId,
        via: 'action',
        by,
        ...(state.waitedBefore ? { reason: 'invitation_confirmed' } : {}),
      });
    case 'no_user':
      return end({ kind: 'failed', reason: 'user_not_found', userId, by });
    case 'unknown':
      // Not seen either way: the run was stopped first (a rerun looks again), or the lookup failed (a failure, to rerun).
      return verdict.reason === 'invitation_unconfirmed'
        ? end({ kind: 'left_to_action', key: state.key, userId, createdAt, by, reason: verdict.reason })
        : end({ kind: 'failed', reason: verdict.reason, userId, by });
    case 'not_sent':
      // Settled long ago without the record (an earlier run waited too): the Action is not going to send it.
      if (state.waitedBefore && run.canSend) {
        return {
          state: { kind: 'sending_for_action', user: state.user, key: state.key, userId, createdAt },
          step: { kind: 'send_invitation', user: state.user, userId, record: true },
        };
      }
      return end({ kind: 'failed', reason: 'invitation_not_sent', errors: [NOT_SENT_HELP], userId, by });
  }
}

/** A user with the row's identity was there before: not created, not invited, unless the run resends. */
function existing(row: Identified, run: InvitationRun, found: FoundUser | undefined): Transition {
  if (!run.resend) return end({ kind: 'exists', key: row.key, ...(found !== undefined ? { userId: found.user_id } : {}) });
  if (found !== undefined) return resendTo(row, found.user_id);
  return { state: { kind: 'finding_existing', user: row.user, key: row.key }, step: { kind: 'find_user', user: row.user } };
}

function resendTo(row: Identified, userId: string): Transition {
  return {
    state: { kind: 'resending', user: row.user, key: row.key, userId },
    step: { kind: 'send_invitation', user: row.user, userId, record: false },
  };
}

function end(state: EndState): Transition {
  return { state, step: { kind: 'end' } };
}

function answerOf<K extends StepAnswer['kind']>(answer: StepAnswer, kind: K, state: RowState): Extract<StepAnswer, { kind: K }> {
  if (answer.kind !== kind) throw unexpected(answer, state);
  return answer as Extract<StepAnswer, { kind: K }>;
}

function unexpected(answer: StepAnswer, state: RowState): Error {
  return new Error(`a row ${state.kind} got the answer ${answer.kind}`);
}

/**
 * What the journal records of the state: `pending` before each creation attempt, `created` once
 * the user exists and its invitation is not known sent, then what the row ended as. Undefined:
 * nothing to record (a failed or refused row is tried again by the next run). The driver writes
 * an entry when it differs from the row's last one.
 */
export function journalEntryOf(state: RowState, line: number): JournalEntry | undefined {
  switch (state.kind) {
    case 'creating':
      return { line, key: state.key, state: 'pending', at: state.sentAt };
    case 'created':
      return { line, key: state.key, state: 'created', via: 'direct', userId: state.userId };
    case 'assigning_roles':
      return state.via === 'direct'
        ? { line, key: state.key, state: 'created', via: 'direct', userId: state.userId }
        : { line, key: state.key, state: 'created', via: 'action', at: state.createdAt, userId: state.userId };
    case 'awaiting_action':
    case 'left_to_action':
      return { line, key: state.key, state: 'created', via: 'action', at: state.createdAt, userId: state.userId };
    case 'invited':
      return { line, key: state.key, state: 'invited', via: state.via, userId: state.userId };
    case 'exists':
      return { line, key: state.key, state: 'exists', ...(state.userId !== undefined ? { userId: state.userId } : {}) };
    case 'resent':
      return { line, key: state.key, state: 'resent', userId: state.userId };
    default:
      return undefined;
  }
}

/** The report line of a row that ended, without the row's own fields (line, connection, email, username). */
export function reportOf(state: EndState): Omit<RowReport, 'line' | 'connection' | 'email' | 'username'> {
  const earlierRun = 'by' in state && state.by === 'earlier_run' ? { earlier_run: true as const } : {};
  const userId = 'userId' in state && state.userId !== undefined ? { user_id: state.userId } : {};
  const reason = 'reason' in state && state.reason !== undefined ? { reason: state.reason } : {};
  const errors = 'errors' in state && state.errors !== undefined ? { errors: state.errors } : {};
  switch (state.kind) {
    case 'refused':
      return {
        status: state.status,
        ...reason,
        ...errors,
        ...(state.duplicateOf !== undefined ? { duplicate_of: state.duplicateOf } : {}),
      };
    case 'would_create':
      return { status: 'would_create' };
    case 'invited':
      // The earlier run's creation, the Action's invitation: this run only saw it sent.
      return {
        status: state.via === 'action' && state.by === 'earlier_run' ? 'done_earlier' : 'invited',
        ...userId,
        ...reason,
        ...earlierRun,
      };
    case 'left_to_action':
      return { status: 'created', ...userId, ...reason, ...earlierRun };
    case 'done_earlier':
    case 'exists':
    case 'resent':
      return { status: state.kind, ...userId };
    case 'failed':
      return { status: 'failed', ...userId, ...reason, ...errors, ...earlierRun };
  }
}

/** Whether this run created the row's user (the summary's `created`, and `byConnection`). */
export function createdByThisRun(state: EndState): boolean {
  return 'by' in state && state.by === 'this_run';
}

export function isEnd(state: RowState): state is EndState {
  return ['refused', 'would_create', 'done_earlier', 'invited', 'left_to_action', 'exists', 'resent', 'failed'].includes(state.kind);
}

/** The user a valid row (or the flags of one user) describes, on its connection. */
export function newUserFromRow(row: InviteRow, connection: ConnectionIdentity): NewUser {
  return {
    email: row.email,
    connection,
    ...(row.username !== undefined ? { username: row.username } : {}),
    ...(row.name !== undefined ? { name: row.name } : {}),
    ...(row.locale !== undefined ? { locale: row.locale } : {}),
    ...(row.secondaryEmail !== undefined ? { secondaryEmail: row.secondaryEmail } : {}),
  };
}

/** What the row's connection demands of it; empty when it fits. */
export function connectionProblems(user: { username?: string }, connection: ConnectionIdentity): string[] {
  const problems: string[] = [];
  if (connection.usernameRequired && user.username === undefined) problems.push(`connection ${connection.name} requires a username`);
  if (!connection.usernameAllowed && user.username !== undefined) problems.push(`connection ${connection.name} has no usernames`);
  return problems;
}

/** The identities a row claims on its connection: email where emails are unique, username always. */
export function identityKeys(row: Pick<InviteRow, 'email' | 'username'>, connection: ConnectionIdentity): string[] {
  const keys: string[] = [];
  if (connection.emailUnique) keys.push(`e\0${connection.name}\0${row.email.toLowerCase()}`);
  if (row.username !== undefined) keys.push(`u\0${connection.name}\0${row.username.toLowerCase()}`);
  // 72 bits of SHA-256: a collision among 10^6 identities has odds below 10^-9.
  return keys.map((key) => createHash('sha256').update(key).digest('base64').slice(0, 12));
}
