import { randomBytes } from 'node:crypto';
import type { Management } from 'auth0';
import { EmailBudget } from '../actions/shared/email-budget';
import { INVITED_BY, INVITED_BY_SCRIPT, sendTicketInvitation } from '../actions/shared/invitation';
import { INVITATION_RECORD, invitationSentMetadata, type InvitationRecord } from '../actions/shared/invitation-record';
import { updateAppMetadata, type TicketReturn } from '../actions/shared/management-api';
import { templateIdFor } from '../actions/shared/locale';
import type { Outcome } from '../actions/shared/outcome';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import type { InviteSettings } from '../actions/invite-on-registration/settings';
import { statusOf } from '../actions/shared/request-failure';
import { USER_APPLICATION_KEY, type TemplateOverrides } from '../actions/shared/settings';
import { findUsersByEmail, findUsersByUsername, type FoundUser } from './find-user';
import type { NewUser, StepAnswer } from './invitation-row/plan';
import { errorMessage, failureReason, type AdminManagement } from './management';

/**
 * The effects of an invitation row (admin/invitation-row/plan.ts decides which, and when): one
 * creation attempt, the lookup of the user a 409 was about, and an invitation sent from the
 * script. Each returns the tenant's answer for the plan.
 *
 * Existing users: the tenant itself says a user exists (409 on creation: the email on a
 * connection with unique emails, the username on any connection). No lookup precedes the
 * creation: one request per new user, which is what the rate limit is spent on.
 */

/** One email and ticket exchange may wait on the rate limit: allow it minutes, not the Actions' 5 s. */
export const ADMIN_EMAIL_BUDGET_MS = 600_000;

export interface DirectInvitation {
  ticket: TicketReturn & { ttlSec: number; appName: string | undefined; templateId: string };
  mail: SendGridOptions;
  templates: TemplateOverrides;
}

export interface InviteOptions {
  management: AdminManagement;
  /** `action`: the post-user-registration Action invites; `direct`: the script does (ticket + SendGrid). */
  mode: 'action' | 'direct';
  /** Needed in direct mode and to resend. */
  direct?: DirectInvitation | undefined;
  /** Mark the secondary addresses as verified (`app_metadata.secondary_email_verified: true`). */
  secondaryVerified: boolean;
  /** The client id of the application the invitation is for: `app_metadata.app`, which the invitation Action reads. */
  application?: string | undefined;
  /**
   * Management API requests one creation costs, the Action's own included (Action mode on a
   * connection invited by ticket: the Action creates the ticket). Default 1.
   */
  creationCost?: ((connection: string) => number) | undefined;
  /** Who invites (`--invited-by`): recorded at creation (`app_metadata.invitation.by`), named in the email. */
  invitedBy?: string | undefined;
}

/**
 * A password nobody knows: the invitee sets their own through the ticket. It meets the strictest
 * Auth0 password policy a connection can have: 72 characters (the longest `min_length`, docs-v2
 * password-strength.mdx), all four kinds of characters, never three identical ones in a row
 * (`excellent`), and none of the user's own data (`password_no_personal_info`: name, username,
 * nickname, the email's local part; `avoid` lists them), drawn again until it holds none.
 */
export function unknowablePassword(avoid: ReadonlyArray<string | undefined> = []): string {
  const personal = avoid.flatMap((value) => (value !== undefined && value !== '' ? [value.toLowerCase()] : []));
  let password = '';
  // A value of one or two characters may be in every draw: then Auth0's refusal names the cause.
  for (let draw = 0; draw < 20; draw++) {
    let random = randomBytes(51).toString('base64url');
    // Break any run of three identical characters ("excellent" refuses them).
    while (/(.)\1\1/.test(random)) random = random.replace(/(.)\1\1/, (run) => `${run.slice(0, 2)}${run[0] === '-' ? '_' : '-'}`);
    // The four kinds first: '!' is never a base64url character, so no run spans the join.
    password = `aA1!${random}`;
    if (!personal.some((value) => password.toLowerCase().includes(value))) break;
  }
  return password;
}

/**
 * Management API requests one creation costs in Action mode, the Action's own included (they
 * share the tenant's rate limit): the creation, the Action's record of the sent invitation
 * (`PATCH /api/v2/users/{id}`), and on a connection invited by ticket, its ticket.
 */
export function actionModeCreationCost(invite: Pick<InviteSettings, 'connections' | 'defaultMode'>): (connection: string) => number {
  return (connection) => ((invite.connections.get(connection) ?? invite.defaultMode) === 'ticket' ? 3 : 2);
}

/**
 * One creation attempt, and what its answer says: created (the user id), a 409 (the user
 * exists), refused (a 4xx: nothing was created), or no clear answer (a 5xx, a timeout, a dropped
 * connection, a body without a user id: the user may exist). Never retried here: the plan
 * decides, because Auth0 may have created the user without answering.
 */
export async function createUser(options: InviteOptions, user: NewUser): Promise<StepAnswer> {
  const { management } = options;
  const body: Management.CreateUserRequestContent = {
    connection: user.connection.name,
    email: user.email,
    password: unknowablePassword([user.email.split('@')[0], user.username, user.name]),
    email_verified: false,
    // The invitation's ticket verifies the address; Auth0's own verification email would be a second email.
    verify_email: false,
    app_metadata: {
      invite: true,
      ...(options.application !== undefined ? { [USER_APPLICATION_KEY]: options.application } : {}),
      // Direct mode sends the invitation from here: the invitation Action, if bound, leaves the user alone.
      ...(options.mode === 'direct' ? { [INVITED_BY]: INVITED_BY_SCRIPT } : {}),
      // The invitation's record starts with who invited; the one who sends it adds when and how.
      ...(options.invitedBy !== undefined ? { [INVITATION_RECORD]: { by: options.invitedBy } satisfies InvitationRecord } : {}),
      ...(user.secondaryEmail !== undefined
        ? { secondary_email: user.secondaryEmail, secondary_email_verified: options.secondaryVerified }
        : {}),
    },
    ...(user.username !== undefined ? { username: user.username } : {}),
    ...(user.name !== undefined ? { name: user.name } : {}),
    ...(user.locale !== undefined ? { user_metadata: { locale: user.locale } } : {}),
  };
  const cost = options.mode === 'action' ? (options.creationCost?.(user.connection.name) ?? 1) : 1;
  try {
    const created = await management.governor.withCost(cost, () => management.client.users.create(body));
    // auth0 v7 resolves a 200 whose body is not JSON instead of throwing: no user id means no answer.
    if (typeof created.user_id === 'string' && created.user_id !== '') return { kind: 'user_created', userId: created.user_id };
    return { kind: 'no_answer', reason: 'malformed_response' };
  } catch (error) {
    const status = statusOf(error);
    if (status === 409) return { kind: 'conflict' };
    const reason = failureReason(error);
    if (reason === 'aborted') return { kind: 'error', reason };
    // A 4xx is an answer: Auth0 refused, nothing was created.
    if (status !== undefined && status < 500) return { kind: 'refused', reason, errors: [errorMessage(error)] };
    return { kind: 'no_answer', reason, errors: [errorMessage(error)] };
  }
}

/**
 * Gives a user the run's roles (`--roles`): `POST /api/v2/users/{id}/roles`, which answers 204
 * and adds to what the user has (go-auth0 TestUserManager_Roles.yaml #2), so a resumed row may
 * repeat it. A refusal (an unknown role id: 404, a missing `create:role_members`: 403) is the
 * row's failure; the user stays created and a rerun assigns again.
 */
export async function assignRoles(management: AdminManagement, userId: string, roles: readonly string[]): Promise<StepAnswer> {
  try {
    await management.governor.withCost(1, () => management.client.users.roles.assign(userId, { roles: [...roles] }));
    return { kind: 'roles_assigned' };
  } catch (error) {
    const reason = failureReason(error);
    return { kind: 'roles_failed', reason, ...(statusOf(error) !== undefined ? { errors: [errorMessage(error)] } : {}) };
  }
}

/** An invitation sent from the script to a user of the row; `record`: also the Action's record of it (see sendRecordedInvitation). */
export async function sendRowInvitation(options: InviteOptions, user: NewUser, userId: string, record: boolean): Promise<StepAnswer> {
  const recipient = {
    userId,
    email: user.email,
    username: user.username,
    locale: user.locale,
    ...(options.invitedBy !== undefined ? { invitedBy: options.invitedBy } : {}),
  };
  if (!record) {
    // Recorded by the driver once the row's journal entry is written (see StepAnswer `unrecorded`).
    const sent = await sendInvitation(options, recipient);
    return sent.ok ? { kind: 'invitation_sent', unrecorded: sent.value.record } : { kind: 'invitation_failed', reason: sent.reason };
  }
  const sent = await sendRecordedInvitation(options, recipient);
  if (!sent.ok) return { kind: 'invitation_failed', reason: sent.reason };
  return { kind: 'invitation_sent', ...(sent.value !== undefined ? { notRecorded: sent.value } : {}) };
}

/** The user a 409 was about: by username when the row has one (unique on every connection), else by email. */
export async function findExistingUser(management: AdminManagement, user: NewUser): Promise<FoundUser | undefined> {
  let users: FoundUser[];
  if (user.username !== undefined) users = await findUsersByUsername(management, user.username, user.connection.name, user.email);
  else users = await findUsersByEmail(management, user.email, user.connection.name);
  return users.length === 1 ? users[0] : undefined;
}

export interface InvitationRecipient {
  userId: string;
  email: string;
  username?: string | undefined;
  locale?: string | undefined;
  /** Who invited, named in the email and kept in the record. */
  invitedBy?: string | undefined;
}

/** A password-change ticket for the user id, `#type=invite` appended, sent with SendGrid (the shared invitation). */
export async function sendInvitation(
  options: Pick<InviteOptions, 'management' | 'direct'>,
  user: InvitationRecipient,
): Promise<Outcome<{ record: InvitationRecord }>> {
  const direct = options.direct;
  if (direct === undefined) return { ok: false, reason: 'no_direct_settings' };
  const locale = user.locale ?? 'en';
  let token: string;
  try {
    token = await options.management.token();
  } catch (error) {
    return { ok: false, reason: failureReason(error) };
  }
  const { templateId, appName, ...ticket } = direct.ticket;
  return sendTicketInvitation(
    {
      domain: options.management.domain,
      token,
      user: { userId: user.userId, email: user.email, username: user.username },
      ticket,
      appName,
      invitedBy: user.invitedBy,
      locale,
      templateId: templateIdFor('invite', locale, templateId, direct.templates),
      categories: ['admin-script'],
      customArgs: { user_id: user.userId, action: 'admin-invite' },
      fetch: options.management.fetch,
    },
    direct.mail,
    new EmailBudget(ADMIN_EMAIL_BUDGET_MS),
  );
}

/**
 * An invitation sent from the script to a user the Action was to invite, then recorded as the
 * Action records its own (`app_metadata.invitation_email_sent` and the `invitation` record), so that a bulk run looking for
 * the Action's record does not send it again. The value, when set, says the record failed
 * (`not_recorded_<reason>`): the email went out all the same.
 */
export async function sendRecordedInvitation(
  options: Pick<InviteOptions, 'management' | 'direct'>,
  user: InvitationRecipient,
): Promise<Outcome<string | undefined>> {
  const sent = await sendInvitation(options, user);
  if (!sent.ok) return sent;
  return { ok: true, value: await recordInvitation(options.management, user.userId, sent.value.record) };
}

/**
 * Writes the record of an invitation sent from here (`app_metadata.invitation_email_sent` and
 * `invitation`), as the Action writes its own: undefined, or `not_recorded_<reason>` when the
 * write failed (the email went out all the same).
 */
export async function recordInvitation(management: AdminManagement, userId: string, record: InvitationRecord): Promise<string | undefined> {
  let token: string;
  try {
    token = await management.token();
  } catch (error) {
    return `not_recorded_${failureReason(error)}`;
  }
  const recorded = await updateAppMetadata(
    { domain: management.domain, token, budget: new EmailBudget(ADMIN_EMAIL_BUDGET_MS), fetch: management.fetch },
    userId,
    invitationSentMetadata(record),
  );
  return recorded.ok ? undefined : `not_recorded_${recorded.reason}`;
}
