import type { ConnectionIdentity } from '../connections';
import type { InviteRow } from '../csv-rows';
import type { FoundUser } from '../find-user';
import {
  CLOCK_SKEW_MS,
  CREATE_ATTEMPTS,
  CREATED_BY_EARLIER_RUN,
  createdByThisRun,
  identityKeys,
  isEnd,
  journalEntryOf,
  newUserFromRow,
  nextStep,
  NOT_SENT_HELP,
  reportOf,
  startRow,
  type InvitationRun,
  type RowState,
  type StepAnswer,
  type Transition,
} from './plan';
import { withOverrides, type Overrides } from '../../test/support/overrides';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const members: ConnectionIdentity = {
  name: 'members',
  emailUnique: true,
  emailRequired: true,
  usernameRequired: false,
  usernameAllowed: false,
};
const sharedInbox: ConnectionIdentity = {
  name: 'shared-inbox',
  emailUnique: false,
  emailRequired: true,
  usernameRequired: true,
  usernameAllowed: true,
};
const row: InviteRow = { line: 2, email: 'ada@example.com', connection: 'members' };
const user = newUserFromRow(row, members);
const key = identityKeys(row, members)[0]!;
const ACTION: InvitationRun = { mode: 'action', resend: false, dryRun: false, confirm: true, canSend: true, roles: [] };
const DIRECT: InvitationRun = { ...ACTION, mode: 'direct' };

function found(overrides: Overrides<FoundUser> = {}): FoundUser {
  return withOverrides(
    {
      user_id: 'auth0|old',
      email_verified: false,
      app_metadata: { invite: true },
      user_metadata: {},
      created_at: new Date(NOW - 5_000).toISOString(),
    },
    overrides,
  );
}

/** Plays answers from the start of the row, each at NOW; the transitions, the last one first. */
function play(run: InvitationRun, answers: StepAnswer[], start: Transition = startRow({ ok: true, row })): Transition[] {
  const seen = [start];
  for (const answer of answers) seen.unshift(nextStep(seen[0]!.state, answer, run, NOW));
  return seen;
}

const toJournal = [{ kind: 'connection', connection: members }, { kind: 'claimed' }] as const satisfies StepAnswer[];
const fresh = [...toJournal, { kind: 'journal', record: undefined }] as const satisfies StepAnswer[];
const at = (state: RowState['kind'], extra: Partial<Record<string, unknown>> = {}) =>
  expect.objectContaining({ kind: state, ...extra }) as jest.AsymmetricMatcher;

describe('startRow and the checks before the tenant is asked', () => {
  it('refuses a row the CSV reader refused, with its errors', () => {
    const start = startRow({ ok: false, line: 3, errors: ['email is not a valid address'] });
    expect(start).toEqual({
      state: { kind: 'refused', status: 'invalid', reason: 'invalid_row', errors: ['email is not a valid address'] },
      step: { kind: 'end' },
    });
  });

  it.each<[string, StepAnswer, RowState | ReturnType<typeof at>, string]>([
    [
      'no such connection',
      { kind: 'connection', connection: undefined },
      { kind: 'refused', status: 'invalid', reason: 'unknown_connection', errors: ['no database connection named members'] },
      'end',
    ],
    ['a lookup that failed', { kind: 'error', reason: 'http_503' }, { kind: 'failed', reason: 'connection_lookup_http_503' }, 'end'],
    [
      'a connection the row does not fit',
      { kind: 'connection', connection: sharedInbox },
      { kind: 'refused', status: 'invalid', reason: 'invalid_row', errors: ['connection shared-inbox requires a username'] },
      'end',
    ],
    ['its connection', { kind: 'connection', connection: members }, at('checked', { key, keys: [key] }), 'claim_identities'],
  ])('parsed + %s', (_what, answer, state, step) => {
    const next = nextStep({ kind: 'parsed', row }, answer, ACTION, NOW);
    expect(next.state).toEqual(state);
    expect(next.step.kind).toBe(step);
  });

  it('checked: a duplicate is refused with the line it repeats; a dry run ends at would_create; else the journal is read', () => {
    const [duplicate] = play(ACTION, [
      { kind: 'connection', connection: members },
      { kind: 'duplicate', of: 1 },
    ]);
    expect(duplicate).toEqual({
      state: { kind: 'refused', status: 'duplicate', reason: 'duplicate_in_file', duplicateOf: 1 },
      step: { kind: 'end' },
    });
    expect(play({ ...ACTION, dryRun: true }, toJournal)[0]).toEqual({ state: { kind: 'would_create' }, step: { kind: 'end' } });
    expect(play(ACTION, toJournal)[0]).toEqual({ state: { kind: 'claimed', user, key }, step: { kind: 'read_journal' } });
  });
});

describe('resuming from the journal (claimed + journal)', () => {
  const claimed: RowState = { kind: 'claimed', user, key };
  it.each<[string, StepAnswer, ReturnType<typeof at>, string]>([
    ['nothing recorded', { kind: 'journal', record: undefined }, at('creating', { attempt: 1, sentAt: NOW }), 'create_user'],
    [
      'another row at that line (an edited file)',
      { kind: 'journal', record: { state: 'invited', key: 'other', userId: 'auth0|1' } },
      at('creating', { attempt: 1 }),
      'create_user',
    ],
    [
      'invited',
      { kind: 'journal', record: { state: 'invited', key, userId: 'auth0|1' } },
      at('done_earlier', { userId: 'auth0|1' }),
      'end',
    ],
    ['exists', { kind: 'journal', record: { state: 'exists', key } }, at('done_earlier'), 'end'],
    ['resent', { kind: 'journal', record: { state: 'resent', key, userId: 'auth0|1' } }, at('done_earlier', { userId: 'auth0|1' }), 'end'],
    [
      'pending (a creation sent, its answer lost)',
      { kind: 'journal', record: { state: 'pending', key, at: NOW - 60_000 } },
      at('creating', { attempt: 1, doubt: { since: NOW - 60_000, byEarlierRun: true } }),
      'create_user',
    ],
    [
      'created, direct (the invitation not sent)',
      { kind: 'journal', record: { state: 'created', key, via: 'direct', userId: 'auth0|1' } },
      at('created', { userId: 'auth0|1', by: 'earlier_run' }),
      'send_invitation',
    ],
    [
      "created, action (the Action's record not seen)",
      { kind: 'journal', record: { state: 'created', key, via: 'action', userId: 'auth0|1', at: NOW - 60_000 } },
      at('awaiting_action', { userId: 'auth0|1', createdAt: NOW - 60_000, by: 'earlier_run', waitedBefore: true }),
      'await_action_record',
    ],
  ])('%s', (_what, answer, state, step) => {
    const next = nextStep(claimed, answer, ACTION, NOW);
    expect(next.state).toEqual(state);
    expect(next.step.kind).toBe(step);
  });

  it('a fresh row is created without doubt: a 409 then means the user was there before', () => {
    expect(nextStep(claimed, { kind: 'journal', record: undefined }, ACTION, NOW).state).not.toHaveProperty('doubt');
  });

  it("created, action, without --confirm: left to the Action, the earlier run's user", () => {
    const next = nextStep(
      claimed,
      { kind: 'journal', record: { state: 'created', key, via: 'action', userId: 'auth0|1', at: 5 } },
      { ...ACTION, confirm: false },
      NOW,
    );
    expect(next.state).toEqual({
      kind: 'left_to_action',
      key,
      userId: 'auth0|1',
      createdAt: 5,
      by: 'earlier_run',
      reason: 'invitation_not_checked',
    });
  });
});

describe('creating the user', () => {
  it.each<[string, InvitationRun, StepAnswer, ReturnType<typeof at> | RowState, string]>([
    [
      'created (Action mode): the record is awaited',
      ACTION,
      { kind: 'user_created', userId: 'auth0|1' },
      at('awaiting_action', { userId: 'auth0|1', createdAt: NOW, by: 'this_run', waitedBefore: false }),
      'await_action_record',
    ],
    [
      'created (Action mode, --no-confirm): left to the Action',
      { ...ACTION, confirm: false },
      { kind: 'user_created', userId: 'auth0|1' },
      at('left_to_action', { reason: 'invitation_not_checked', by: 'this_run' }),
      'end',
    ],
    [
      'created (direct mode): the script sends the invitation',
      DIRECT,
      { kind: 'user_created', userId: 'auth0|1' },
      at('created', { userId: 'auth0|1', by: 'this_run' }),
      'send_invitation',
    ],
    ['409 with no doubt: it exists', ACTION, { kind: 'conflict' }, { kind: 'exists', key }, 'end'],
    [
      '409 with no doubt, --resend: the user is looked up',
      { ...ACTION, resend: true },
      { kind: 'conflict' },
      at('finding_existing'),
      'find_user',
    ],
    [
      'a 4xx: failed, nothing created',
      ACTION,
      { kind: 'refused', reason: 'http_400', errors: ['Payload validation error'] },
      { kind: 'failed', reason: 'http_400', errors: ['Payload validation error'] },
      'end',
    ],
    ['aborted', ACTION, { kind: 'error', reason: 'aborted' }, { kind: 'failed', reason: 'aborted' }, 'end'],
    [
      'no answer: backs off, in doubt since the attempt',
      ACTION,
      { kind: 'no_answer', reason: 'http_503' },
      at('backing_off', { attempt: 1, doubt: { since: NOW - 1_000, byEarlierRun: false } }),
      'back_off',
    ],
  ])('%s', (_what, run, answer, state, step) => {
    const creating: RowState = { kind: 'creating', user, key, attempt: 1, sentAt: NOW - 1_000 };
    const next = nextStep(creating, answer, run, NOW);
    expect(next.state).toEqual(state);
    expect(next.step.kind).toBe(step);
  });

  it(`tries ${CREATE_ATTEMPTS} times, backing off longer each time, then fails with the last reason`, () => {
    const answers: StepAnswer[] = [];
    for (let attempt = 1; attempt < CREATE_ATTEMPTS; attempt++) answers.push({ kind: 'no_answer', reason: 'timeout' }, { kind: 'waited' });
    const seen = play(ACTION, [...fresh, ...answers, { kind: 'no_answer', reason: 'http_502', errors: ['Bad Gateway'] }]);
    expect(seen.filter((t) => t.step.kind === 'create_user')).toHaveLength(CREATE_ATTEMPTS);
    expect(seen.flatMap((t) => (t.step.kind === 'back_off' ? [t.step.ms] : [])).reverse()).toEqual([500, 1000, 1500]);
    expect(seen[0]!.state).toEqual({ kind: 'failed', reason: 'http_502', errors: ['Bad Gateway'] });
  });

  it('a 409 after an unanswered attempt: our creation only if the user carries the invitation flag and is that recent', () => {
    const inDoubt = play(ACTION, [...fresh, { kind: 'no_answer', reason: 'timeout' }, { kind: 'waited' }, { kind: 'conflict' }])[0]!;
    expect(inDoubt.state).toEqual(at('in_doubt', { doubt: { since: NOW, byEarlierRun: false } }));
    expect(inDoubt.step).toEqual({ kind: 'find_user', user });
    const after = (user: FoundUser | undefined, run = ACTION) => nextStep(inDoubt.state, { kind: 'user_found', user }, run, NOW).state;

    expect(after(found())).toEqual(at('awaiting_action', { userId: 'auth0|old', by: 'this_run', createdAt: NOW }));
    expect(after(found({ created_at: new Date(NOW - CLOCK_SKEW_MS + 1).toISOString() }))).toEqual(at('awaiting_action'));
    expect(after(found({ created_at: undefined }))).toEqual(at('awaiting_action'));
    // Older than the doubt (past the clock skew), or not one of ours: the user was there before.
    expect(after(found({ created_at: new Date(NOW - CLOCK_SKEW_MS - 1).toISOString() }))).toEqual({
      kind: 'exists',
      key,
      userId: 'auth0|old',
    });
    expect(after(found({ app_metadata: {} }))).toEqual({ kind: 'exists', key, userId: 'auth0|old' });
    expect(after(undefined)).toEqual({ kind: 'exists', key });
    // --resend: the user found is invited again; not found, looked up again.
    expect(after(found({ app_metadata: {} }), { ...ACTION, resend: true })).toEqual(at('resending', { userId: 'auth0|old' }));
    expect(after(undefined, { ...ACTION, resend: true })).toEqual(at('finding_existing'));
    expect(nextStep(inDoubt.state, { kind: 'error', reason: 'http_500' }, ACTION, NOW).state).toEqual({
      kind: 'failed',
      reason: 'http_500',
    });
  });

  it("a 409 for a row an earlier run left pending: that run's user, created at that run's time", () => {
    const record = { state: 'pending', key, at: NOW - 60_000 } as const;
    const answers: StepAnswer[] = [...toJournal, { kind: 'journal', record }, { kind: 'conflict' }, { kind: 'user_found', user: found() }];
    expect(play(ACTION, answers)[0]!.state).toEqual(
      at('awaiting_action', { by: 'earlier_run', createdAt: NOW - 60_000, waitedBefore: false }),
    );
    expect(play(DIRECT, answers)[0]!.state).toEqual(at('created', { by: 'earlier_run' }));
  });
});

describe('after the creation', () => {
  const awaiting = (waitedBefore: boolean, by: 'this_run' | 'earlier_run' = waitedBefore ? 'earlier_run' : 'this_run'): RowState => ({
    kind: 'awaiting_action',
    user,
    key,
    userId: 'auth0|1',
    createdAt: NOW - 40_000,
    by,
    waitedBefore,
  });
  const verdict = (state: RowState, v: Extract<StepAnswer, { kind: 'verdict' }>['verdict'], run = ACTION) =>
    nextStep(state, { kind: 'verdict', verdict: v }, run, NOW);

  it.each<[string, RowState, Extract<StepAnswer, { kind: 'verdict' }>['verdict'], RowState | ReturnType<typeof at>]>([
    ['sent', awaiting(false), { state: 'sent' }, { kind: 'invited', key, userId: 'auth0|1', via: 'action', by: 'this_run' }],
    [
      'sent, as an earlier run waited for',
      awaiting(true),
      { state: 'sent' },
      { kind: 'invited', key, userId: 'auth0|1', via: 'action', by: 'earlier_run', reason: 'invitation_confirmed' },
    ],
    [
      'not sent: failed, and the next run sends it',
      awaiting(false),
      { state: 'not_sent' },
      { kind: 'failed', reason: 'invitation_not_sent', errors: [NOT_SENT_HELP], userId: 'auth0|1', by: 'this_run' },
    ],
    ['not sent, as an earlier run waited in vain: the script sends it', awaiting(true), { state: 'not_sent' }, at('sending_for_action')],
    ['no user', awaiting(false), { state: 'no_user' }, { kind: 'failed', reason: 'user_not_found', userId: 'auth0|1', by: 'this_run' }],
    [
      'not seen before the run stopped',
      awaiting(false),
      { state: 'unknown', reason: 'invitation_unconfirmed' },
      at('left_to_action', { reason: 'invitation_unconfirmed', createdAt: NOW - 40_000 }),
    ],
    [
      'the lookup failed',
      awaiting(false),
      { state: 'unknown', reason: 'confirm_http_500' },
      { kind: 'failed', reason: 'confirm_http_500', userId: 'auth0|1', by: 'this_run' },
    ],
  ])('awaiting the Action + %s', (_what, state, v, next) => {
    expect(verdict(state, v).state).toEqual(next);
  });

  it('an invitation the Action never sent is sent and recorded from the script only with the SendGrid settings', () => {
    expect(verdict(awaiting(true), { state: 'not_sent' }).step).toEqual({ kind: 'send_invitation', user, userId: 'auth0|1', record: true });
    expect(verdict(awaiting(true), { state: 'not_sent' }, { ...ACTION, canSend: false }).state).toEqual(
      at('failed', { reason: 'invitation_not_sent', by: 'earlier_run' }),
    );
  });

  it.each<[string, RowState, StepAnswer, RowState]>([
    [
      'direct, sent',
      { kind: 'created', user, key, userId: 'auth0|1', by: 'this_run' },
      { kind: 'invitation_sent' },
      { kind: 'invited', key, userId: 'auth0|1', via: 'direct', by: 'this_run' },
    ],
    [
      "direct, sent to the earlier run's user",
      { kind: 'created', user, key, userId: 'auth0|1', by: 'earlier_run' },
      { kind: 'invitation_sent' },
      { kind: 'invited', key, userId: 'auth0|1', via: 'direct', by: 'earlier_run', reason: CREATED_BY_EARLIER_RUN },
    ],
    [
      'direct, failed',
      { kind: 'created', user, key, userId: 'auth0|1', by: 'this_run' },
      { kind: 'invitation_failed', reason: 'sendgrid_http_401' },
      { kind: 'failed', reason: 'invite_sendgrid_http_401', userId: 'auth0|1', by: 'this_run' },
    ],
    [
      'for the Action, sent, its record failed',
      { kind: 'sending_for_action', user, key, userId: 'auth0|1', createdAt: 0 },
      { kind: 'invitation_sent', notRecorded: 'not_recorded_http_429' },
      { kind: 'invited', key, userId: 'auth0|1', via: 'direct', by: 'earlier_run', reason: 'not_recorded_http_429' },
    ],
    [
      'for the Action, sent and recorded',
      { kind: 'sending_for_action', user, key, userId: 'auth0|1', createdAt: 0 },
      { kind: 'invitation_sent' },
      { kind: 'invited', key, userId: 'auth0|1', via: 'direct', by: 'earlier_run', reason: CREATED_BY_EARLIER_RUN },
    ],
    [
      'resending, sent',
      { kind: 'resending', user, key, userId: 'auth0|1' },
      { kind: 'invitation_sent' },
      { kind: 'resent', key, userId: 'auth0|1' },
    ],
    [
      'resending, failed',
      { kind: 'resending', user, key, userId: 'auth0|1' },
      { kind: 'invitation_failed', reason: 'sendgrid_http_500' },
      { kind: 'failed', reason: 'resend_sendgrid_http_500', userId: 'auth0|1' },
    ],
    [
      'finding the existing user, none',
      { kind: 'finding_existing', user, key },
      { kind: 'user_found', user: undefined },
      { kind: 'failed', reason: 'exists_not_found' },
    ],
    [
      'finding the existing user, the lookup failed',
      { kind: 'finding_existing', user, key },
      { kind: 'error', reason: 'http_500' },
      { kind: 'failed', reason: 'lookup_http_500' },
    ],
  ])('%s', (_what, state, answer, next) => {
    expect(nextStep(state, answer, DIRECT, NOW).state).toEqual(next);
  });

  it('refuses to go on from an end, and an answer to another step', () => {
    expect(() => nextStep({ kind: 'would_create' }, { kind: 'waited' }, ACTION, NOW)).toThrow(/already ended/);
    expect(() => nextStep({ kind: 'parsed', row }, { kind: 'waited' }, ACTION, NOW)).toThrow(/parsed got the answer waited/);
  });
});

describe('what the journal and the report record', () => {
  it('journals the states a run resumes from, and nothing for the others', () => {
    const journaled = (state: RowState) => journalEntryOf(state, 2);
    expect(journaled({ kind: 'creating', user, key, attempt: 2, sentAt: 7 })).toEqual({ line: 2, key, state: 'pending', at: 7 });
    expect(journaled({ kind: 'created', user, key, userId: 'u', by: 'this_run' })).toEqual({
      line: 2,
      key,
      state: 'created',
      via: 'direct',
      userId: 'u',
    });
    const action = { line: 2, key, state: 'created', via: 'action', at: 7, userId: 'u' };
    expect(journaled({ kind: 'awaiting_action', user, key, userId: 'u', createdAt: 7, by: 'this_run', waitedBefore: false })).toEqual(
      action,
    );
    expect(journaled({ kind: 'left_to_action', key, userId: 'u', createdAt: 7, by: 'this_run', reason: 'x' })).toEqual(action);
    expect(journaled({ kind: 'invited', key, userId: 'u', via: 'action', by: 'this_run' })).toEqual({
      line: 2,
      key,
      state: 'invited',
      via: 'action',
      userId: 'u',
    });
    expect(journaled({ kind: 'exists', key })).toEqual({ line: 2, key, state: 'exists' });
    expect(journaled({ kind: 'resent', key, userId: 'u' })).toEqual({ line: 2, key, state: 'resent', userId: 'u' });
    for (const state of [
      { kind: 'failed', reason: 'http_400', userId: 'u', by: 'this_run' },
      { kind: 'refused', status: 'invalid', reason: 'invalid_row' },
      { kind: 'done_earlier', userId: 'u' },
      { kind: 'backing_off', user, key, attempt: 1, doubt: { since: 1, byEarlierRun: false } },
      { kind: 'sending_for_action', user, key, userId: 'u', createdAt: 7 },
    ] as RowState[]) {
      expect(journaled(state)).toBeUndefined();
    }
  });

  it('reports each end as a status, with earlier_run for a user an earlier run created, and counts only this run as its creator', () => {
    const invited = { kind: 'invited', key, userId: 'u', via: 'action' } as const;
    expect(reportOf({ ...invited, by: 'this_run' })).toEqual({ status: 'invited', user_id: 'u' });
    expect(reportOf({ ...invited, by: 'earlier_run', reason: 'invitation_confirmed' })).toEqual({
      status: 'done_earlier',
      user_id: 'u',
      reason: 'invitation_confirmed',
      earlier_run: true,
    });
    expect(reportOf({ ...invited, via: 'direct', by: 'earlier_run', reason: CREATED_BY_EARLIER_RUN })).toEqual({
      status: 'invited',
      user_id: 'u',
      reason: CREATED_BY_EARLIER_RUN,
      earlier_run: true,
    });
    expect(reportOf({ kind: 'left_to_action', key, userId: 'u', createdAt: 1, by: 'this_run', reason: 'invitation_not_checked' })).toEqual({
      status: 'created',
      user_id: 'u',
      reason: 'invitation_not_checked',
    });
    expect(reportOf({ kind: 'refused', status: 'duplicate', reason: 'duplicate_in_file', duplicateOf: 2 })).toEqual({
      status: 'duplicate',
      reason: 'duplicate_in_file',
      duplicate_of: 2,
    });
    expect(reportOf({ kind: 'failed', reason: 'resend_x', userId: 'u' })).toEqual({ status: 'failed', user_id: 'u', reason: 'resend_x' });
    expect(createdByThisRun({ ...invited, by: 'this_run' })).toBe(true);
    expect(createdByThisRun({ ...invited, by: 'earlier_run' })).toBe(false);
    expect(createdByThisRun({ kind: 'failed', reason: 'resend_x', userId: 'u' })).toBe(false);
    expect(isEnd({ kind: 'claimed', user, key })).toBe(false);
    expect(isEnd({ kind: 'exists', key })).toBe(true);
  });
});

describe('roles given at creation (--roles)', () => {
  const roles = ['rol_A1', 'rol_B2'];
  const created = { kind: 'user_created', userId: 'auth0|new' } as const satisfies StepAnswer;

  it('assigns the roles right after the creation, journaled as created, then invites (direct) or awaits the Action', () => {
    const [direct] = play({ ...DIRECT, roles }, [...fresh, created]);
    expect(direct!.step).toEqual({ kind: 'assign_roles', userId: 'auth0|new', roles });
    expect(journalEntryOf(direct!.state, 2)).toEqual({ line: 2, key, state: 'created', via: 'direct', userId: 'auth0|new' });
    expect(play({ ...DIRECT, roles }, [...fresh, created, { kind: 'roles_assigned' }])[0]!.step.kind).toBe('send_invitation');

    const [action] = play({ ...ACTION, roles }, [...fresh, created]);
    expect(journalEntryOf(action!.state, 2)).toEqual({ line: 2, key, state: 'created', via: 'action', at: NOW, userId: 'auth0|new' });
    expect(play({ ...ACTION, roles }, [...fresh, created, { kind: 'roles_assigned' }])[0]!.step).toEqual({
      kind: 'await_action_record',
      userId: 'auth0|new',
      createdAt: NOW,
    });
  });

  it('a failed assignment fails the row with a roles_ reason and the user id; the journal keeps created', () => {
    const [failed] = play({ ...DIRECT, roles }, [
      ...fresh,
      created,
      { kind: 'roles_failed', reason: 'http_404', errors: ['Role not found'] },
    ]);
    expect(failed!.state).toEqual({
      kind: 'failed',
      reason: 'roles_http_404',
      errors: ['Role not found'],
      userId: 'auth0|new',
      by: 'this_run',
    });
    expect(journalEntryOf(failed!.state, 2)).toBeUndefined();
    expect(reportOf(failed!.state as Extract<RowState, { kind: 'failed' }>)).toMatchObject({ status: 'failed', reason: 'roles_http_404' });
    expect(play({ ...ACTION, roles }, [...fresh, created, { kind: 'error', reason: 'aborted' }])[0]!.state).toMatchObject({
      kind: 'failed',
      reason: 'roles_aborted',
    });
  });

  it('a rerun of a row left created assigns the roles again (never creates again), then goes on', () => {
    for (const via of ['direct', 'action'] as const) {
      const record = { state: 'created', key, via, userId: 'auth0|new', at: NOW - 60_000 } as const;
      const [resumed] = play({ ...ACTION, roles }, [...toJournal, { kind: 'journal', record }]);
      expect(resumed!.step).toEqual({ kind: 'assign_roles', userId: 'auth0|new', roles });
      const [next] = play({ ...ACTION, roles }, [...toJournal, { kind: 'journal', record }, { kind: 'roles_assigned' }]);
      expect(next!.step.kind).toBe(via === 'direct' ? 'send_invitation' : 'await_action_record');
      expect(next!.state).toMatchObject({ by: 'earlier_run' });
    }
  });

  it('a user that existed before (409) is not given the roles', () => {
    expect(play({ ...ACTION, roles }, [...fresh, { kind: 'conflict' }])[0]!.state).toEqual({ kind: 'exists', key });
  });

  it('without roles no assignment step is taken', () => {
    expect(play(DIRECT, [...fresh, created])[0]!.step.kind).toBe('send_invitation');
  });
});
