import { randomBytes } from 'node:crypto';
import type { Management } from 'auth0';
import { EmailBudget } from '../actions/shared/email-budget';
import { INVITATION_SENT_FLAG, INVITED_BY, INVITED_BY_SCRIPT, sendTicketInvitation } from '../actions/shared/invitation';
import { updateAppMetadata } from '../actions/shared/management-api';
import { templateIdFor } from '../actions/shared/locale';
import type { Outcome } from '../actions/shared/outcome';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import type { InviteSettings } from '../actions/invite-on-registration/settings';
import type { TemplateOverrides } from '../actions/shared/settings';
import type { ConnectionIdentity } from './connections';
import type { InviteRow } from './csv-rows';
import { findUsersByEmail, findUsersByUsername, type FoundUser } from './find-user';
import { errorMessage, failureReason, statusOf, type AdminManagement } from './management';

/**
 * Creating one invited user, and sending an invitation from the script.
 *
 * Existing users: the tenant itself says a user exists (409 on creation: the email on a
 * connection with unique emails, the username on any connection). Such a user is neither
 * created nor invited again, unless the run asks to resend. No lookup precedes the creation:
 * one request per new user, which is what the rate limit is spent on.
 */

/** One email and ticket exchange may wait on the rate limit: allow it minutes, not the Actions' 5 s. */
export const ADMIN_EMAIL_BUDGET_MS = 600_000;

export interface DirectInvitation {
  ticket: { clientId?: string; resultUrl?: string; ttlSec: number; appName?: string; templateId: string };
  mail: SendGridOptions;
  templates: TemplateOverrides;
}

export interface NewUser {
  email: string;
  connection: ConnectionIdentity;
  username?: string;
  name?: string;
  locale?: string;
  secondaryEmail?: string;
}

/** The user a valid CSV row (or the flags of one user) describes, on its connection. */
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

export interface InviteOptions {
  management: AdminManagement;
  /** `action`: the post-user-registration Action invites; `direct`: the script does (ticket + SendGrid). */
  mode: 'action' | 'direct';
  /** Needed in direct mode and to resend. */
  direct?: DirectInvitation;
  /** Invite users that already exist again (direct send). */
  resend: boolean;
  /** Mark the secondary addresses as verified (`app_metadata.secondary_email_verified: true`). */
  secondaryVerified: boolean;
  /**
   * Management API requests one creation costs, the Action's own included (Action mode on a
   * connection invited by ticket: the Action creates the ticket). Default 1.
   */
  creationCost?: (connection: string) => number;
}

export type InviteStatus = 'created' | 'invited' | 'exists' | 'resent' | 'failed';

export interface InviteResult {
  status: InviteStatus;
  userId?: string;
  /** Short code for failures: `http_400`, `invite_sendgrid_http_401`, `exists_not_found`, ... */
  reason?: string;
  /** Auth0's message (may quote the row): for the report file only. */
  errors?: string[];
}

/** What the row's connection demands of it; empty when it fits. */
export function connectionProblems(user: { username?: string }, connection: ConnectionIdentity): string[] {
  const problems: string[] = [];
  if (connection.usernameRequired && user.username === undefined) problems.push(`connection ${connection.name} requires a username`);
  if (!connection.usernameAllowed && user.username !== undefined) problems.push(`connection ${connection.name} has no usernames`);
  return problems;
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

export interface CreationState {
  /**
   * Since when an earlier attempt for this row may have created the user without our knowing
   * (no answer, a 5xx, or a journal entry left pending by an interrupted run), in ms since epoch.
   */
  inDoubtSince?: number;
  /** Called just before each creation request (the journal's `pending`). */
  beforeCreate?: () => void;
  /** Called once the user exists, before its invitation is sent (the journal's `created`). */
  afterCreate?: (userId: string) => void;
  /** The doubt comes from an earlier run (a pending journal entry): a user found is that run's. */
  doubtFromEarlierRun?: boolean;
  signal?: AbortSignal;
}

const CREATE_ATTEMPTS = 4;
const CREATE_BACKOFF_MS = 500;
/** Clock difference allowed between this machine and Auth0 when telling our own creation from an older user. */
const CLOCK_SKEW_MS = 60_000;

export async function createAndInvite(options: InviteOptions, user: NewUser, state: CreationState): Promise<InviteResult> {
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
      // Direct mode sends the invitation from here: the invitation Action, if bound, leaves the user alone.
      ...(options.mode === 'direct' ? { [INVITED_BY]: INVITED_BY_SCRIPT } : {}),
      ...(user.secondaryEmail !== undefined
        ? { secondary_email: user.secondaryEmail, secondary_email_verified: options.secondaryVerified }
        : {}),
    },
    ...(user.username !== undefined ? { username: user.username } : {}),
    ...(user.name !== undefined ? { name: user.name } : {}),
    ...(user.locale !== undefined ? { user_metadata: { locale: user.locale } } : {}),
  };
  const cost = options.mode === 'action' ? (options.creationCost?.(user.connection.name) ?? 1) : 1;
  let inDoubtSince = state.inDoubtSince;
  for (let attempt = 1; ; attempt++) {
    state.beforeCreate?.();
    const attemptStarted = Date.now();
    let failure: InviteResult;
    try {
      const created = await management.governor.withCost(cost, () => management.client.users.create(body, { abortSignal: state.signal }));
      // auth0 v7 resolves a 200 whose body is not JSON instead of throwing: no user id means no answer.
      if (typeof created.user_id === 'string' && created.user_id !== '') return afterCreation(options, user, created.user_id, state);
      failure = { status: 'failed', reason: 'malformed_response' };
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) {
        if (inDoubtSince === undefined) return existing(options, user);
        // Created by our unanswered attempt, or there before? Ours carries the invitation flag and is recent.
        const found = await existingUser(management, user);
        const ours =
          found !== undefined &&
          found.app_metadata.invite === true &&
          (found.created_at === undefined || Date.parse(found.created_at) >= inDoubtSince - CLOCK_SKEW_MS);
        if (!ours) return existing(options, user, found);
        const earlier = state.doubtFromEarlierRun === true && inDoubtSince === state.inDoubtSince;
        const result = await afterCreation(options, user, found.user_id, state);
        return earlier && result.status !== 'failed' ? { ...result, reason: CREATED_BY_EARLIER_RUN } : result;
      }
      if (failureReason(error) === 'aborted') throw error;
      failure = { status: 'failed', reason: failureReason(error), errors: [errorMessage(error)] };
      // A 4xx is an answer: Auth0 refused, nothing was created.
      if (status !== undefined && status < 500) return failure;
    }
    if (attempt >= CREATE_ATTEMPTS) return failure;
    inDoubtSince ??= attemptStarted;
    // Let other requests go first: an unanswered creation retried at once tends to meet the same trouble.
    await delay(CREATE_BACKOFF_MS * attempt * (0.5 + Math.random()), state.signal);
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The reason of a row whose user an interrupted run created: invited now, not created now. */
export const CREATED_BY_EARLIER_RUN = 'created_by_earlier_run';

async function afterCreation(options: InviteOptions, user: NewUser, userId: string, state: CreationState): Promise<InviteResult> {
  state.afterCreate?.(userId);
  if (options.mode === 'action') return { status: 'created', userId };
  return inviteCreatedUser(options, user, userId);
}

/**
 * Direct mode: the invitation of a user created by this run (or by an interrupted one). With
 * `record`, also the Action's record of it (a user left to the Action, whose invitation the
 * Action never sent): whoever looks next, a run or a person, sees it was sent.
 */
export async function inviteCreatedUser(
  options: InviteOptions,
  user: NewUser,
  userId: string,
  { record = false }: { record?: boolean } = {},
): Promise<InviteResult> {
  const recipient = { userId, email: user.email, username: user.username, locale: user.locale };
  if (!record) {
    const sent = await sendInvitation(options, recipient);
    return sent.ok ? { status: 'invited', userId } : { status: 'failed', userId, reason: `invite_${sent.reason}` };
  }
  const sent = await sendRecordedInvitation(options, recipient);
  if (!sent.ok) return { status: 'failed', userId, reason: `invite_${sent.reason}` };
  return { status: 'invited', userId, ...(sent.value !== undefined ? { reason: sent.value } : {}) };
}

async function existing(options: InviteOptions, user: NewUser, known?: FoundUser): Promise<InviteResult> {
  if (!options.resend) return { status: 'exists', ...(known !== undefined ? { userId: known.user_id } : {}) };
  let found = known;
  if (found === undefined) {
    try {
      found = await existingUser(options.management, user);
    } catch (error) {
      return { status: 'failed', reason: `lookup_${failureReason(error)}` };
    }
  }
  if (found === undefined) return { status: 'failed', reason: 'exists_not_found' };
  const userId = found.user_id;
  const sent = await sendInvitation(options, { userId, email: user.email, username: user.username, locale: user.locale });
  // `resend_`: the user existed; a failed row with `invite_` is one this run created.
  return sent.ok ? { status: 'resent', userId } : { status: 'failed', userId, reason: `resend_${sent.reason}` };
}

/** The user a 409 was about: by username when the row has one (unique on every connection), else by email. */
async function existingUser(management: AdminManagement, user: NewUser): Promise<FoundUser | undefined> {
  let users: FoundUser[];
  if (user.username !== undefined) users = await findUsersByUsername(management, user.username, user.connection.name, user.email);
  else users = await findUsersByEmail(management, user.email, user.connection.name);
  return users.length === 1 ? users[0] : undefined;
}

export interface InvitationRecipient {
  userId: string;
  email: string;
  username?: string;
  locale?: string;
}

/** A password-change ticket for the user id, `#type=invite` appended, sent with SendGrid (the shared invitation). */
export async function sendInvitation(
  options: Pick<InviteOptions, 'management' | 'direct'>,
  user: InvitationRecipient,
): Promise<Outcome<unknown>> {
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
      user: { userId: user.userId, email: user.email, ...(user.username !== undefined ? { username: user.username } : {}) },
      ticket,
      ...(appName !== undefined ? { appName } : {}),
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
 * Action records its own (`app_metadata.invitation_email_sent`), so that a bulk run looking for
 * the Action's record does not send it again. The value, when set, says the record failed
 * (`not_recorded_<reason>`): the email went out all the same.
 */
export async function sendRecordedInvitation(
  options: Pick<InviteOptions, 'management' | 'direct'>,
  user: InvitationRecipient,
): Promise<Outcome<string | undefined>> {
  const sent = await sendInvitation(options, user);
  if (!sent.ok) return sent;
  let token: string;
  try {
    token = await options.management.token();
  } catch (error) {
    return { ok: true, value: `not_recorded_${failureReason(error)}` };
  }
  const recorded = await updateAppMetadata(
    { domain: options.management.domain, token, budget: new EmailBudget(ADMIN_EMAIL_BUDGET_MS), fetch: options.management.fetch },
    user.userId,
    { [INVITATION_SENT_FLAG]: true },
  );
  return { ok: true, value: recorded.ok ? undefined : `not_recorded_${recorded.reason}` };
}
