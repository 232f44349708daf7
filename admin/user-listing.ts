import { gunzipSync } from 'node:zlib';
import type { FoundUser } from './find-user';
import { MalformedAnswerError, toFoundUser } from './find-user';
import { statusOf } from '../actions/shared/request-failure';
import type { AdminManagement } from './management';

/**
 * Listing every user that matches, past Auth0's limits on user search:
 *
 * - Search pages through the first 1,000 results of a query only; the next page answers 400
 *   (docs-v2 manage-users/user-search/view-search-results-by-page.mdx, "Limitation"). So a query
 *   is read oldest first, each request starting at the creation time of the last user read
 *   (`usersMatching`): no request goes past the cap whatever the number of matches.
 * - The export job (`POST /api/v2/jobs/users-exports`, docs-v2 manage-users/user-migration/
 *   bulk-user-exports.mdx) reads every user of the tenant into one file, without a query and
 *   without the cap, but not on the Free plan; `pendingInvitations` uses it when the tenant
 *   allows and falls back to the windowed search when it refuses.
 *
 * Both are snapshots (search trails writes by seconds): a command that acts on a listed user
 * reads it again by id first (see resend.ts).
 */

/** Auth0's cap on the results of one search query, over all its pages. */
export const SEARCH_RESULT_CAP = 1000;
const PER_PAGE = 100;

/** More users than one window can hold share one `created_at`: the query cannot be narrowed by date. */
export class SearchWindowError extends Error {
  constructor(createdAt: string) {
    super(`More than ${SEARCH_RESULT_CAP} matching users were created at ${createdAt}; narrow the query (e.g. --connection).`);
    this.name = 'SearchWindowError';
  }
}

function lucenePhrase(value: string): string {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * Every user a search (Auth0 user search v3, Lucene) matches, however many: read oldest first,
 * each request starting at the creation time of the last user given (`AND created_at:[<t> TO *]`,
 * page 0), so that no request goes near the 1,000-result cap and users that leave or join the
 * results while the command runs (a login, a deletion) shift nothing that was not read yet, as
 * page numbers over a changing result would. Users created in the same millisecond as the last
 * one given are skipped by id; a page entirely of such users steps to the next page.
 */
export async function* usersMatching(management: AdminManagement, query: string, connection?: string): AsyncGenerator<FoundUser> {
  const base = connection !== undefined ? `(${query}) AND identities.connection:${lucenePhrase(connection)}` : `(${query})`;
  let from: string | undefined;
  let givenAtFrom = new Set<string>();
  let page = 0;
  for (;;) {
    const q = from === undefined ? base : `${base} AND created_at:[${from} TO *]`;
    const result = await management.client.users.list({ q, search_engine: 'v3', per_page: PER_PAGE, page, sort: 'created_at:1' });
    if (!Array.isArray((result.response as { users?: unknown } | undefined)?.users)) throw new MalformedAnswerError('user search');
    let advanced = false;
    for (const raw of result.data) {
      const user = toFoundUser(raw);
      if (user.created_at === from && givenAtFrom.has(user.user_id)) continue;
      yield user;
      if (user.created_at !== from) {
        from = user.created_at;
        givenAtFrom = new Set();
        advanced = true;
      }
      givenAtFrom.add(user.user_id);
    }
    if (result.data.length < PER_PAGE) return;
    page = advanced ? 0 : page + 1;
    if ((page + 1) * PER_PAGE > SEARCH_RESULT_CAP) throw new SearchWindowError(from ?? '?');
  }
}

export interface ExportOptions {
  /** Time between two looks at the job (Auth0 gives no finish time). Default 2 s. */
  pollMs?: number;
  /** Give up after this long. Default 15 min. */
  timeoutMs?: number;
}

/** The job failed, was not done in time, or its file could not be read. */
export class UserExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserExportError';
  }
}

const EXPORT_FIELDS = [
  'user_id',
  'email',
  'username',
  'email_verified',
  'logins_count',
  'created_at',
  'name',
  'app_metadata',
  'user_metadata',
].map((name) => ({ name }));

/**
 * Every user of the tenant (or of one connection, by its name), through a users-export job: create
 * it, look at it until `completed`, download the gzipped NDJSON at `location` (a signed URL: no
 * token is sent there). Rejects with the SDK's error when the tenant refuses the job (403 on the
 * Free plan).
 */
export async function exportedUsers(management: AdminManagement, connection?: string, options: ExportOptions = {}): Promise<FoundUser[]> {
  const pollMs = options.pollMs ?? 2_000;
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  const fields = [...EXPORT_FIELDS, { name: 'identities[0].connection', export_as: 'connection' }];
  const job = await management.client.jobs.usersExports.create({ format: 'json', fields });
  if (typeof job.id !== 'string') throw new MalformedAnswerError('export job creation');
  let state = await management.client.jobs.get(job.id);
  while (state.status !== 'completed') {
    if (state.status === 'failed')
      throw new UserExportError(`The export job ${job.id} failed${state.status_details ? `: ${state.status_details}` : ''}.`);
    if (Date.now() > deadline) throw new UserExportError(`The export job ${job.id} did not complete in time.`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    state = await management.client.jobs.get(job.id);
  }
  if (typeof state.location !== 'string') throw new MalformedAnswerError('completed export job');
  // The governed fetch paces only /api/v2 requests and adds no Authorization header: the location is signed.
  const response = await management.fetch(state.location);
  if (!response.ok) throw new UserExportError(`Downloading the export of job ${job.id} failed (HTTP ${response.status}).`);
  const text = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
  const users: FoundUser[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const found = toFoundUser({ ...row, identities: [{ connection: row['connection'] }] } as Parameters<typeof toFoundUser>[0]);
    if (connection === undefined || found.connection === connection) users.push(found);
  }
  return users;
}

/** Users created invited (`app_metadata.invite: true`, cleared at verification) who never logged in. */
export const PENDING_INVITATIONS_QUERY = 'app_metadata.invite:true AND logins_count:0';

export function isPendingInvitation(user: FoundUser): boolean {
  return user.app_metadata.invite === true && (user.logins_count ?? 0) === 0;
}

/**
 * Every user of the tenant (or of one connection) that `keep` accepts: from an export job where
 * the tenant allows one, else (403: the Free plan, or a token without the scope) from the
 * windowed search for `query`, which must match at least those users. `onSource` says which was used.
 */
async function* usersByExportOrSearch(
  management: AdminManagement,
  selection: { query: string; keep: (user: FoundUser) => boolean },
  connection: string | undefined,
  options: ExportOptions & { onSource?: (source: 'export' | 'search') => void },
): AsyncGenerator<FoundUser> {
  let exported: FoundUser[] | undefined;
  try {
    exported = await exportedUsers(management, connection, options);
  } catch (error) {
    if (statusOf(error) !== 403) throw error;
  }
  options.onSource?.(exported !== undefined ? 'export' : 'search');
  const users = exported ?? usersMatching(management, selection.query, connection);
  for await (const user of users) if (selection.keep(user)) yield user;
}

/** Every pending invitation (see isPendingInvitation), by export job or search. */
export function pendingInvitations(
  management: AdminManagement,
  connection?: string,
  options: ExportOptions & { onSource?: (source: 'export' | 'search') => void } = {},
): AsyncGenerator<FoundUser> {
  return usersByExportOrSearch(management, { query: PENDING_INVITATIONS_QUERY, keep: isPendingInvitation }, connection, options);
}

/**
 * Users with an invitation of this version or an earlier one (admin/invitation-state.ts): every
 * sent invitation keeps `invitation_email_sent: true`, and one not sent yet was created with
 * `invite: true` or by the script in direct mode.
 */
export const INVITED_USERS_QUERY =
  'app_metadata.invitation_email_sent:true OR app_metadata.invite:true OR app_metadata.invited_by:"admin-script"';

/** Every invited user, whatever the state of the invitation, by export job or search; `keep` narrows it. */
export function invitedUsers(
  management: AdminManagement,
  keep: (user: FoundUser) => boolean,
  connection?: string,
  options: ExportOptions & { onSource?: (source: 'export' | 'search') => void } = {},
): AsyncGenerator<FoundUser> {
  return usersByExportOrSearch(management, { query: INVITED_USERS_QUERY, keep }, connection, options);
}
