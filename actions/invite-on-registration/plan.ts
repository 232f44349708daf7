import type { PostUserRegistrationEvent } from '../shared/auth0-actions';
import { emailLocale, templateIdFor } from '../shared/locale';
import { USER_APPLICATION_KEY } from '../shared/settings';
import type { TicketReturn } from '../shared/management-api';
import type { InvitedApplication } from './application';
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

/**
 * The application the invitation is for: `app_metadata.app`, a client id (`npm run invite` checks
 * its form; one Auth0 does not know fails the invitation with Auth0's answer, logged); undefined,
 * the default application (INVITE_CLIENT_ID), when unset or not a string.
 */
export function invitationApplication(event: PostUserRegistrationEvent): string | undefined {
  const raw = event.user.app_metadata?.[USER_APPLICATION_KEY];
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
}

interface InvitationEmailChoice {
  /** The ticket's target: the application's own login route (client_id), or the settings' client_id or result_url. */
  ticket: TicketReturn;
  templateId: string;
  appName?: string | undefined;
  locale: string;
}

/**
 * A ticket invitation worded for its application: the application's client_id for the ticket
 * (its login route), its `email_invite_template`, its name and `email_locale`; each part the
 * application does not give comes from the secrets (INVITE_CLIENT_ID or INVITE_RESULT_URL,
 * TEMPLATE_IDS then INVITE_TEMPLATE_ID, INVITE_APP_NAME).
 */
export function chooseInvitationEmail(
  event: PostUserRegistrationEvent,
  defaults: TicketReturn & { templateId: string; appName?: string | undefined },
  overrides: InviteSettings['templates'],
  application: InvitedApplication | undefined,
): InvitationEmailChoice {
  const locale = emailLocale(event.user.user_metadata, event.transaction, event.request, application?.locale);
  return {
    // INVITE_CLIENT_ID or INVITE_RESULT_URL (settings.ts): Auth0 takes one of them.
    // The defaults carry more than the ticket's return; the ticket request reads only its own fields.
    ticket: application !== undefined ? { clientId: application.clientId } : defaults,
    templateId: application?.templateId ?? templateIdFor('invite', locale, defaults.templateId, overrides),
    appName: application?.name ?? defaults.appName,
    locale,
  };
}
