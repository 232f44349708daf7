/**
 * The invitation's record in app_metadata, and what reads it: no import, so that the post-login
 * Action's fast path can check it without loading anything else.
 */

/**
 * The app_metadata key the invitation Action sets once the invitation was accepted for delivery
 * (SendGrid's 202, or Auth0's 200 to change_password). `npm run invite` reads it to tell a
 * delivered invitation from one the Action failed to send: post-user-registration is
 * non-blocking, so the user's creation says nothing of it.
 */
export const INVITATION_SENT_FLAG = 'invitation_email_sent';

/**
 * `app_metadata.invitation`: the record of the latest invitation, one small object with short
 * keys (app_metadata travels with every login event). Times are ISO 8601 strings.
 * Written when the email was accepted for delivery (`sent`, `expires`, `via`, keeping `by`),
 * completed by the first login after it (`accepted`, verify-and-welcome) or by an administrator
 * (`revoked`, `how`). `by` may be set at creation (`npm run invite -- --invited-by`). Records of
 * earlier versions (only `invitation_email_sent` and `invite`) still read: see
 * admin/invitation-state.ts.
 */
export const INVITATION_RECORD = 'invitation';

export interface InvitationRecord {
  /** When the invitation email was accepted for delivery. */
  sent?: string;
  /** When its link stops working: sent + the ticket's ttl_sec, or + the reset template's urlLifetimeInSeconds. */
  expires?: string;
  /** How it was sent: a password-change ticket sent with SendGrid, or Auth0's change-password email. */
  via?: 'ticket' | 'change_password';
  /** Who invited, as the administrator gave it (`--invited-by`). */
  by?: string | undefined;
  /** The first successful login after `sent`. */
  accepted?: string;
  /** When an administrator revoked it, and how: the account blocked, or deleted. */
  revoked?: string;
  how?: 'block' | 'delete';
}

/** The record in app_metadata, when it is one (an object); anything else reads as none. */
export function invitationRecordOf(appMetadata: Record<string, unknown> | null | undefined): InvitationRecord | undefined {
  const record = appMetadata?.[INVITATION_RECORD];
  return typeof record === 'object' && record !== null && !Array.isArray(record) ? record : undefined;
}

/** Who invited, from the record set at creation, when it is a non-empty string. */
export function invitedByOf(appMetadata: Record<string, unknown> | null | undefined): string | undefined {
  const by = invitationRecordOf(appMetadata)?.by;
  return typeof by === 'string' && by.trim() !== '' ? by : undefined;
}

/**
 * The record of an invitation sent now: a new `sent` and `expires`, the earlier `by` kept, and an
 * earlier acceptance or revocation dropped (it was about the previous invitation).
 */
export function sentInvitationRecord(
  via: 'ticket' | 'change_password',
  ttlSec: number,
  invitedBy: string | undefined,
  now = Date.now(),
): InvitationRecord {
  return {
    sent: new Date(now).toISOString(),
    expires: new Date(now + ttlSec * 1000).toISOString(),
    via,
    by: invitedBy,
  };
}

/** The app_metadata written once an invitation was sent: the record, and the flag earlier versions (and `npm run invite`) read. */
export function invitationSentMetadata(record: InvitationRecord): Record<string, unknown> {
  return { [INVITATION_SENT_FLAG]: true, [INVITATION_RECORD]: record };
}

/**
 * True while an invitation was sent and neither accepted nor revoked: the next successful login
 * accepts it. Cheap, from the login event's app_metadata alone.
 */
export function awaitsAcceptance(appMetadata: Record<string, unknown> | null | undefined): boolean {
  const record = invitationRecordOf(appMetadata);
  return record !== undefined && typeof record.sent === 'string' && record.accepted === undefined && record.revoked === undefined;
}
