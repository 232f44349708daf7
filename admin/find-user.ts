import type { Management } from 'auth0';
import type { AdminManagement } from './management';
import { isEmail, isUsername } from './csv-rows';
import { statusOf } from '../actions/shared/request-failure';

/**
 * Finding the user an administrator means: by user id, by username (the only identifier on a
 * connection with non-unique emails), or by email (several users on such a connection).
 */
export interface FoundUser {
  user_id: string;
  connection?: string;
  email?: string;
  username?: string;
  email_verified: boolean;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  logins_count?: number;
  name?: string;
  created_at?: string;
}

export interface UserQuery {
  id?: string | undefined;
  username?: string | undefined;
  email?: string | undefined;
  connection?: string | undefined;
}

/** No user, or several where one was expected; the message is for the console (no address in it). */
export class UserLookupError extends Error {
  constructor(
    message: string,
    readonly kind: 'not_found' | 'ambiguous' | 'invalid_query',
    readonly candidates: FoundUser[] = [],
  ) {
    super(message);
    this.name = 'UserLookupError';
  }
}

/** An answer of the Management API that is not what it should be (auth0 v7 resolves a cut-short body instead of throwing). */
export class MalformedAnswerError extends Error {
  constructor(what: string) {
    super(`The Management API answered the ${what} with a malformed body; nothing was changed. Run the command again.`);
    this.name = 'MalformedAnswerError';
  }
}

export function toFoundUser(user: Management.UserResponseSchema | Management.GetUserResponseContent): FoundUser {
  const identities = (user.identities ?? []) as Array<{ connection?: string }>;
  return {
    user_id: user.user_id ?? '',
    ...(identities[0]?.connection !== undefined ? { connection: identities[0].connection } : {}),
    ...(typeof user.email === 'string' ? { email: user.email } : {}),
    ...(typeof user.username === 'string' ? { username: user.username } : {}),
    email_verified: user.email_verified === true,
    app_metadata: user.app_metadata ?? {},
    user_metadata: user.user_metadata ?? {},
    ...(typeof user.logins_count === 'number' ? { logins_count: user.logins_count } : {}),
    ...(typeof user.name === 'string' ? { name: user.name } : {}),
    ...(typeof user.created_at === 'string' ? { created_at: user.created_at } : {}),
  };
}

/** Lucene phrase: usernames and connection names cannot hold `"` or `\`, but escape anyway. */
function phrase(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * Users with this username. Auth0 has no consistent read by username: this is user search, which
 * trails writes by seconds. When the caller knows the user's email (a CSV row), a search that
 * finds nobody is checked with users-by-email, which is immediately consistent (docs-v2
 * manage-users/user-search/user-search-best-practices.mdx), so a user created moments ago is not
 * taken for missing.
 */
export async function findUsersByUsername(
  management: AdminManagement,
  username: string,
  connection?: string,
  knownEmail?: string,
): Promise<FoundUser[]> {
  const q = `username:${phrase(username)}${connection !== undefined ? ` AND identities.connection:${phrase(connection)}` : ''}`;
  const page = await management.client.users.list({ q, search_engine: 'v3', per_page: 50 });
  if (!Array.isArray((page.response as { users?: unknown } | undefined)?.users)) throw new MalformedAnswerError('user search');
  const matches = (u: FoundUser) =>
    u.username?.toLowerCase() === username.toLowerCase() && (connection === undefined || u.connection === connection);
  const found = page.data.map(toFoundUser).filter(matches);
  if (found.length > 0 || knownEmail === undefined) return found;
  return (await findUsersByEmail(management, knownEmail, connection)).filter(matches);
}

export async function findUsersByEmail(management: AdminManagement, email: string, connection?: string): Promise<FoundUser[]> {
  const users: unknown = await management.client.users.listUsersByEmail({ email });
  if (!Array.isArray(users)) throw new MalformedAnswerError('users-by-email lookup');
  return (users as Management.UserResponseSchema[]).map(toFoundUser).filter((u) => connection === undefined || u.connection === connection);
}

/**
 * The users among `ids` that user search finds, in one request (at most 50 ids). Auth0's search
 * index trails its writes by seconds: a user missing here, or shown with older metadata, may
 * still exist as asked; `findUserById` is the consistent read.
 */
export async function findUsersByIds(management: AdminManagement, ids: readonly string[]): Promise<FoundUser[]> {
  if (ids.length === 0) return [];
  if (ids.length > 50) throw new RangeError('findUsersByIds takes at most 50 ids');
  const q = ids.map((id) => `user_id:${phrase(id)}`).join(' OR ');
  const page = await management.client.users.list({ q, search_engine: 'v3', per_page: ids.length, fields: 'user_id,app_metadata' });
  if (!Array.isArray((page.response as { users?: unknown } | undefined)?.users)) throw new MalformedAnswerError('user search');
  const wanted = new Set(ids);
  return page.data.map(toFoundUser).filter((u) => wanted.has(u.user_id));
}

export async function findUserById(management: AdminManagement, id: string): Promise<FoundUser | undefined> {
  try {
    const user = await management.client.users.get(id);
    if (typeof user.user_id !== 'string') throw new MalformedAnswerError('user lookup');
    return toFoundUser(user);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** One line per candidate, to let the administrator pick a username: no email in it. */
export function describeCandidates(users: FoundUser[]): string {
  return users.map((u) => `  ${u.username ?? '(no username)'}  ${u.user_id}  connection=${u.connection ?? '?'}`).join('\n');
}

/**
 * Exactly one user for an id, a username or an email. Several users for one email (a
 * connection with non-unique emails) is an error that lists them by username.
 */
export async function findOneUser(management: AdminManagement, query: UserQuery): Promise<FoundUser> {
  const given = [query.id, query.username, query.email].filter((v) => v !== undefined);
  if (given.length !== 1) throw new UserLookupError('Give exactly one of --user-id, --username, --email.', 'invalid_query');
  const where = query.connection !== undefined ? ` on connection "${query.connection}"` : '';
  if (query.id !== undefined) {
    const user = await findUserById(management, query.id);
    if (user === undefined) throw new UserLookupError(`No user with id ${query.id}.`, 'not_found');
    return user;
  }
  if (query.username !== undefined) {
    if (!isUsername(query.username)) throw new UserLookupError('That is not a valid username.', 'invalid_query');
    const users = await findUsersByUsername(management, query.username, query.connection);
    if (users.length === 0) {
      // User search is the only lookup by username, and it trails writes by seconds.
      throw new UserLookupError(
        `No user with username "${query.username}"${where} (user search shows a new user a few seconds after its creation; --user-id or --email read at once).`,
        'not_found',
      );
    }
    if (users.length > 1) {
      throw new UserLookupError(
        `${users.length} users have username "${query.username}" (one per connection); add --connection:\n${describeCandidates(users)}`,
        'ambiguous',
        users,
      );
    }
    // Search found the account; its current state (metadata written seconds ago) comes from the consistent read.
    const current = await findUserById(management, users[0]!.user_id);
    if (current === undefined) throw new UserLookupError(`No user with username "${query.username}"${where}.`, 'not_found');
    return current;
  }
  const email = query.email!;
  if (!isEmail(email)) throw new UserLookupError('That is not a valid email address.', 'invalid_query');
  const users = await findUsersByEmail(management, email, query.connection);
  if (users.length === 0) throw new UserLookupError(`No user with that email${where}.`, 'not_found');
  if (users.length > 1) {
    throw new UserLookupError(
      `${users.length} users share that email${where}; give the username (--username <name>):\n${describeCandidates(users)}`,
      'ambiguous',
      users,
    );
  }
  return users[0]!;
}

/** How a command asks the administrator: `ask` gives undefined when it cannot (no terminal) or gets no answer. */
export interface Chooser {
  ask(question: string): Promise<string | undefined>;
  /** Where the list of candidates goes (the console's stderr). */
  print(text: string): void;
}

/**
 * findOneUser, except that an email several users share (a connection with non-unique emails)
 * lists them, by username and user id, and asks which username. Without an answer it fails as a
 * usage error asking for --username; a username not among them is an unknown user.
 */
export async function findOneUserAsking(management: AdminManagement, query: UserQuery, chooser: Chooser): Promise<FoundUser> {
  try {
    return await findOneUser(management, query);
  } catch (error) {
    if (!(error instanceof UserLookupError) || error.kind !== 'ambiguous' || query.email === undefined) throw error;
    chooser.print(error.message);
    const username = await chooser.ask('Username of the account to send to: ');
    if (username === undefined) throw new UserLookupError('Run again with --username <name>.', 'ambiguous');
    const chosen = error.candidates.find((u) => u.username?.toLowerCase() === username.toLowerCase());
    if (chosen === undefined) throw new UserLookupError(`None of these accounts has username "${username}".`, 'not_found');
    return chosen;
  }
}
