import { INVITATION_RECORD, invitationRecordOf, type InvitationRecord } from '../actions/shared/invitation-record';
import { MalformedAnswerError, type FoundUser } from './find-user';
import { INVITATION_STATES, invitationOf, type Invitation, type InvitationState } from './invitation-state';
import type { AdminManagement } from './management';

/**
 * What `npm run invitations` does with the invitations admin/invitation-state.ts derives: count
 * and list them, choose the ones to send again, and revoke one.
 */

export interface ListedInvitation extends Invitation {
  userId: string;
  username?: string;
  connection?: string;
}

export interface InvitationSelection {
  status?: InvitationState;
  /** Only invitations sent (or, not sent yet, created) at least this long ago, in ms. */
  olderThanMs?: number;
}

/** When an invitation started: its sending, else (not sent yet, or an earlier version's record) the user's creation. */
function startedAt(invitation: Invitation, user: FoundUser): number | undefined {
  const at = invitation.sentAt ?? user.created_at;
  return at === undefined ? undefined : Date.parse(at);
}

/** Whether an invitation is one the selection names. */
export function selected(invitation: Invitation, user: FoundUser, selection: InvitationSelection, now: number): boolean {
  if (selection.status !== undefined && invitation.state !== selection.status) return false;
  if (selection.olderThanMs !== undefined) {
    const started = startedAt(invitation, user);
    if (started === undefined || now - started < selection.olderThanMs) return false;
  }
  return true;
}

export interface InvitationList {
  /** Every invitation listed, per state. */
  counts: Record<InvitationState, number>;
  /** Those the selection names, in listing order. */
  matching: ListedInvitation[];
}

export async function listInvitations(
  users: AsyncIterable<FoundUser>,
  selection: InvitationSelection,
  now: number,
): Promise<InvitationList> {
  const counts = Object.fromEntries(INVITATION_STATES.map((state) => [state, 0])) as Record<InvitationState, number>;
  const matching: ListedInvitation[] = [];
  for await (const user of users) {
    const invitation = invitationOf(user, now);
    if (invitation === undefined) continue;
    counts[invitation.state] += 1;
    if (!selected(invitation, user, selection, now)) continue;
    matching.push({
      userId: user.user_id,
      ...(user.username !== undefined ? { username: user.username } : {}),
      ...(user.connection !== undefined ? { connection: user.connection } : {}),
      ...invitation,
    });
  }
  return { counts, matching };
}

const COLUMNS = ['state', 'user_id', 'username', 'connection', 'sent', 'expires', 'accepted', 'revoked', 'via', 'invited_by'] as const;

function cells(row: ListedInvitation): Record<(typeof COLUMNS)[number], string> {
  return {
    state: row.state,
    user_id: row.userId,
    username: row.username ?? '',
    connection: row.connection ?? '',
    sent: row.sentAt ?? '',
    expires: row.expiresAt ?? '',
    accepted: row.acceptedAt ?? '',
    revoked: row.revokedAt !== undefined ? `${row.revokedAt}${row.revokedHow !== undefined ? ` (${row.revokedHow})` : ''}` : '',
    via: row.via ?? (row.legacy ? 'earlier version' : ''),
    invited_by: row.invitedBy ?? '',
  };
}

function csvCell(value: string): string {
  // A cell starting with = + - @ would be a formula in a spreadsheet: quoted and prefixed.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The list as the administrator asked for it: `table` (counts, then one aligned line per
 * invitation), `csv` (a header and one row per invitation) or `json` (counts and invitations).
 * Users are named by id and username, never by email (the console rule of every script).
 */
export function formatInvitations(list: InvitationList, format: 'table' | 'csv' | 'json'): string {
  if (format === 'json') return JSON.stringify({ counts: list.counts, invitations: list.matching.map(cells) }, null, 2);
  if (format === 'csv') {
    return [COLUMNS.join(','), ...list.matching.map((row) => COLUMNS.map((c) => csvCell(cells(row)[c])).join(','))].join('\n');
  }
  const total = INVITATION_STATES.reduce((sum, state) => sum + list.counts[state], 0);
  const lines = [`${total} invitations: ${INVITATION_STATES.map((state) => `${list.counts[state]} ${state}`).join(', ')}.`];
  if (list.matching.length === 0) return [...lines, 'None matches.'].join('\n');
  const rows = list.matching.map(cells);
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  lines.push('', line([...COLUMNS]), ...rows.map((r) => line(COLUMNS.map((c) => r[c]))));
  return lines.join('\n');
}

export type RevokeHow = 'block' | 'delete';

/** The revocation was refused: nothing was changed. */
export class RevokeRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevokeRefusedError';
  }
}

/**
 * Makes the invitation impossible to accept, the two ways Auth0 offers (it cannot withdraw a
 * ticket or an email once sent): `block` sets `blocked: true`, and Auth0 refuses every login of a
 * blocked user, so the link may still set a password but nothing logs in with it; the record
 * says revoked (`revoked`, `how`). `delete` deletes the user, so the link leads nowhere; only for
 * a user who never logged in (an account in use is blocked instead), and the record goes with the
 * user: the command's output is what says it.
 */
export async function revokeInvitation(
  management: AdminManagement,
  user: FoundUser,
  how: RevokeHow,
  now = Date.now(),
): Promise<{ how: RevokeHow; record?: InvitationRecord }> {
  if (how === 'delete') {
    if ((user.logins_count ?? 0) > 0) {
      throw new RevokeRefusedError(
        `${user.user_id} has logged in ${user.logins_count} times: deleting would delete an account in use. Use --how block.`,
      );
    }
    await management.client.users.delete(user.user_id);
    return { how };
  }
  // `blocked` is not app_metadata: this PATCH needs update:users (docs/scopes.md).
  const record: InvitationRecord = { ...invitationRecordOf(user.app_metadata), revoked: new Date(now).toISOString(), how };
  const updated = await management.client.users.update(user.user_id, { blocked: true, app_metadata: { [INVITATION_RECORD]: record } });
  if (typeof (updated as { user_id?: unknown } | null)?.user_id !== 'string') throw new MalformedAnswerError('user update');
  return { how, record };
}
