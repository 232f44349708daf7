import { INVITATION_SENT_FLAG, invitationRecordOf, type InvitationRecord } from '../actions/shared/invitation-record';
import { INVITED_BY, INVITED_BY_SCRIPT } from '../actions/shared/invitation';

/**
 * The state of a user's invitation, derived from what the user's app_metadata records (the one
 * place that decides it; docs/invitations.md explains it to administrators):
 *
 * - `revoked`: an administrator revoked it (`invitation.revoked`), whatever happened before.
 * - `accepted`: the first successful login after it was sent (`invitation.accepted`). A record of
 *   an earlier version (no `invitation.sent`) counts any login (`logins_count` > 0).
 * - `expired`: its link stopped working (`invitation.expires` is past) before any login accepted it.
 * - `pending`: sent and neither of the above; also an invitation not seen sent yet, and one of an
 *   earlier version, whose record says no expiry.
 *
 * A user is an invitation when its app_metadata has an `invitation` object, or one of the flags
 * earlier versions set (`invitation_email_sent`, `invite`, `invited_by: admin-script`).
 */

export const INVITATION_STATES = ['pending', 'accepted', 'expired', 'revoked'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export interface Invitation {
  state: InvitationState;
  sentAt?: string;
  expiresAt?: string;
  acceptedAt?: string;
  revokedAt?: string;
  /** How it was revoked: the account blocked or deleted. */
  revokedHow?: 'block' | 'delete';
  via?: 'ticket' | 'change_password';
  invitedBy?: string;
  /** The record is of an earlier version: no sending or expiry time. */
  legacy: boolean;
}

/** What the state is derived from: a user as a listing or a read by id gives it. */
export interface InvitedUser {
  app_metadata: Record<string, unknown>;
  logins_count?: number;
}

function time(value: unknown): string | undefined {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** The user's invitation at `now` (ms since epoch), or undefined when the user was not invited. */
export function invitationOf(user: InvitedUser, now: number): Invitation | undefined {
  const metadata = user.app_metadata;
  const record: InvitationRecord | undefined = invitationRecordOf(metadata);
  const legacyFlags = metadata[INVITATION_SENT_FLAG] === true || metadata.invite === true || metadata[INVITED_BY] === INVITED_BY_SCRIPT;
  if (record === undefined && !legacyFlags) return undefined;
  const sentAt = time(record?.sent);
  const expiresAt = time(record?.expires);
  const acceptedAt = time(record?.accepted);
  const revokedAt = time(record?.revoked);
  const legacy = sentAt === undefined;
  const base = {
    ...(sentAt !== undefined ? { sentAt } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(acceptedAt !== undefined ? { acceptedAt } : {}),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
    ...(record?.how === 'block' || record?.how === 'delete' ? { revokedHow: record.how } : {}),
    ...(record?.via === 'ticket' || record?.via === 'change_password' ? { via: record.via } : {}),
    ...(typeof record?.by === 'string' && record.by !== '' ? { invitedBy: record.by } : {}),
    legacy,
  };
  if (revokedAt !== undefined) return { state: 'revoked', ...base };
  if (acceptedAt !== undefined || (legacy && (user.logins_count ?? 0) > 0)) return { state: 'accepted', ...base };
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now) return { state: 'expired', ...base };
  return { state: 'pending', ...base };
}

/**
 * A duration as administrators write it: a number and a unit, `d` (days), `h`, `m` or `s`
 * (`3d`, `12h`). Milliseconds, or undefined when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([dhms])\s*$/.exec(text);
  if (match === null) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 }[match[2] as 'd' | 'h' | 'm' | 's'];
  return Math.round(Number(match[1]) * unit);
}
