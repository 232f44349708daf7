import type { PostUserRegistrationEvent } from '../shared/auth0-actions';
import { INVITED_BY, INVITED_BY_SCRIPT } from '../shared/invitation';
import type { InviteMode, InviteSettings } from './settings';

type InvitationPlan =
  | { invite: false; reason: 'not_invited' | 'opted_out' | 'no_email' | 'sent_by_script' }
  | { invite: true; mode: InviteMode; email: string; connection: string; needsInviteFlag: boolean };

/**
 * Who is invited: every user of a connection in INVITE_CONNECTIONS, and any user created with
 * `app_metadata.invite === true`; `app_metadata.invite === false` opts out, and a user whose
 * `app_metadata.invited_by` is `admin-script` is invited by the script that created it. The mode is the
 * connection's own (`name:ticket`) or INVITE_MODE.
 */
export function planInvitation(event: PostUserRegistrationEvent, settings: InviteSettings): InvitationPlan {
  const invite = event.user.app_metadata?.invite;
  const connection = event.connection.name;
  if (invite === false) return { invite: false, reason: 'opted_out' };
  // `npm run invite -- --direct` sends the invitation itself and says so: one invitation, whether or not this Action is bound.
  if (event.user.app_metadata?.[INVITED_BY] === INVITED_BY_SCRIPT) return { invite: false, reason: 'sent_by_script' };
  const byConnection = settings.connections.has(connection);
  if (invite !== true && !byConnection) return { invite: false, reason: 'not_invited' };
  const email = event.user.email;
  if (typeof email !== 'string' || email.trim() === '') return { invite: false, reason: 'no_email' };
  const mode = settings.connections.get(connection) ?? settings.defaultMode;
  return {
    invite: true,
    mode,
    email,
    connection,
    // Auth0's reset_email template words the mail as an invitation only while this flag is set.
    needsInviteFlag: mode === 'change_password' && invite !== true,
  };
}
