import type { Hono } from 'hono';
import type { TenantContext } from '../context';
import { identifierRules } from '../state/connection-rules';
import type { UserCreatedContext } from '../state/hooks';
import { changePassword, hashPassword, managementPasswordMessage } from '../state/passwords';
import type { ConnectionRecord, JsonObject, UserRecord } from '../state/types';
import { createDatabaseUser, PasswordRejectedError, sameEmail, UserOperationError, userResponse } from '../state/users';
import { selectFields } from './emails';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { pageSlice, readPageRequest, type PageRequest } from './pagination';
import { optionalBoolean, optionalObject, optionalString, payloadError, readJsonObject } from './request-body';
import { parseUserQuery } from './user-search';

export function registerUsers(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/users', (c) => {
    const engine = c.req.query('search_engine');
    if (engine !== undefined && engine !== 'v3') {
      throw new ApiError(400, `The search engine ${engine} is no longer available; use v3`, 'invalid_query_string');
    }
    const page = readPageRequest((n) => c.req.query(n));
    checkSearchWindow(page, ctx.profile.searchResultCap);
    // The search index, which trails the store (see SearchIndex); reads by id and by email below do not.
    let users = store.searchableUsers();
    const q = c.req.query('q');
    if (q) users = users.filter(parseUserQuery(q));
    const connection = c.req.query('connection');
    if (connection) users = users.filter((u) => u.connection === connection);
    users = sortUsers(users, c.req.query('sort'));
    const window = pageSlice(users, page).map((u) => selectFields(userResponse(u), c.req.query('fields'), c.req.query('include_fields')));
    if (!page.includeTotals) return c.json(window);
    // Auth0 returns at most the cap's users for a query; the total is reported no higher than that
    // (unverified: no public recording of a total above 1,000; a caller must not rely on more).
    const total = Math.min(users.length, ctx.profile.searchResultCap);
    return c.json({ start: page.page * page.perPage, limit: page.perPage, length: window.length, total, users: window });
  });

  api.get('/users/:id', (c) =>
    c.json(selectFields(userResponse(requireUser(ctx, c.req.param('id'))), c.req.query('fields'), c.req.query('include_fields'))),
  );

  api.post('/users', async (c) => {
    const body = await readJsonObject(c);
    const connection = optionalString(body, 'connection');
    if (!connection) throw payloadError('Missing required property: connection');
    const input = {
      connection,
      password: optionalString(body, 'password') ?? '',
      ...definedOnly({
        email: optionalString(body, 'email'),
        username: optionalString(body, 'username'),
        email_verified: optionalBoolean(body, 'email_verified'),
        app_metadata: optionalObject(body, 'app_metadata'),
        user_metadata: optionalObject(body, 'user_metadata'),
        name: optionalString(body, 'name'),
        nickname: optionalString(body, 'nickname'),
        given_name: optionalString(body, 'given_name'),
        family_name: optionalString(body, 'family_name'),
        picture: optionalString(body, 'picture'),
        blocked: optionalBoolean(body, 'blocked'),
      }),
    };
    const created = withApiErrors(() => createDatabaseUser(store, input));
    scheduleUserCreatedHook(ctx, created.user, created.connection, { via: 'management-api' });
    return c.json(userResponse(created.user), 201);
  });

  api.patch('/users/:id', async (c) => {
    const user = requireUser(ctx, c.req.param('id'));
    const body = await readJsonObject(c);
    const connection = store.findConnectionByName(user.connection);
    const email = optionalString(body, 'email');
    const username = optionalString(body, 'username');
    const password = optionalString(body, 'password');
    const appMetadata = optionalObject(body, 'app_metadata');
    const userMetadata = optionalObject(body, 'user_metadata');
    const emailVerified = optionalBoolean(body, 'email_verified');
    const blocked = optionalBoolean(body, 'blocked');
    if (connection) checkIdentifierChange(ctx, user, connection, email, username);
    if (password !== undefined) {
      // The connection's policy applies to a password set here too (docs-v2 password-strength.mdx,
      // "If you use Management API to set or update a user's password ... the strength policy applies").
      const rejection = connection ? changePassword(user, connection, password) : undefined;
      if (rejection) throw new ApiError(400, managementPasswordMessage(rejection));
      if (!connection) user.password_hash = hashPassword(password);
    }
    if (email !== undefined && !sameEmail(email, user.email)) {
      user.email = email.toLowerCase();
      // Auth0 marks a changed email unverified unless email_verified is sent along.
      user.email_verified = emailVerified ?? false;
    } else if (emailVerified !== undefined) user.email_verified = emailVerified;
    if (username !== undefined) user.username = username;
    if (blocked !== undefined) user.blocked = blocked;
    for (const field of ['name', 'nickname', 'given_name', 'family_name', 'picture'] as const) {
      const value = optionalString(body, field);
      if (value !== undefined) user[field] = value;
    }
    // Metadata is merged one level deep and `null` deletes a key (Auth0's PATCH semantics).
    const patch: { app_metadata?: JsonObject; user_metadata?: JsonObject } = {};
    if (appMetadata) patch.app_metadata = appMetadata;
    if (userMetadata) patch.user_metadata = userMetadata;
    store.mergeUserMetadata(user, patch);
    return c.json(userResponse(user));
  });

  api.delete('/users/:id', (c) => {
    const user = requireUser(ctx, c.req.param('id'));
    store.removeUsers((u) => u === user);
    return c.body(null, 204);
  });

  api.get('/users-by-email', (c) => {
    const email = c.req.query('email');
    if (!email) throw new ApiError(400, "Query validation error: 'Missing required property: email'", 'invalid_query_string');
    // Every user with that email: several on connections with non-unique emails.
    const users = store.data.users.filter((u) => sameEmail(u.email, email));
    return c.json(users.map((u) => selectFields(userResponse(u), c.req.query('fields'), c.req.query('include_fields'))));
  });
}

/**
 * post-user-registration runs after the creation has answered, `postRegistrationDelayMs` later
 * (Auth0: the trigger "runs asynchronously" and is non-blocking, docs-v2
 * customize/actions/explore-triggers/signup-and-login-triggers/post-user-registration-trigger):
 * its outcome never affects the creation, and nothing may count on it having run by the 201.
 */
export function scheduleUserCreatedHook(
  ctx: TenantContext,
  user: UserRecord,
  connection: ConnectionRecord,
  context: UserCreatedContext,
): void {
  const hook = ctx.hooks.onUserCreated;
  if (!hook) return;
  ctx.deferred.later(ctx.profile.timings.postRegistrationDelayMs, async () => {
    try {
      await hook(user, connection, context);
    } catch (error) {
      console.error(`[local-tenant] post-user-registration hook failed for ${user.user_id}: ${(error as Error).name}`);
    }
  });
}

/**
 * Auth0 pages through the first 1,000 results of a search only: a page whose end lies past the
 * cap answers 400 `invalid_paging` (body recorded in auth0/auth0.net#979 and auth0/node-auth0#1246;
 * docs-v2 manage-users/user-search/view-search-results-by-page.mdx, "Limitation"), whatever the
 * number of matches.
 */
function checkSearchWindow(page: PageRequest, cap: number): void {
  if (page.page * page.perPage + page.perPage > cap) {
    throw new ApiError(
      400,
      `You can only page through the first ${cap} records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation`,
      'invalid_paging',
    );
  }
}

export function requireUser(ctx: TenantContext, userId: string): UserRecord {
  const user = ctx.store.findUser(userId);
  if (!user) throw new ApiError(404, 'The user does not exist.', 'inexistent_user');
  return user;
}

function checkIdentifierChange(
  ctx: TenantContext,
  user: UserRecord,
  connection: ConnectionRecord,
  email?: string,
  username?: string,
): void {
  const rules = identifierRules(connection);
  const others = ctx.store.data.users.filter((u) => u.connection === connection.name && u !== user);
  if (email !== undefined && rules.emailUnique && others.some((u) => sameEmail(u.email, email))) {
    throw new ApiError(400, 'The specified new email already exists', 'email_conflict');
  }
  if (username !== undefined) {
    if (!rules.usernameAllowed)
      throw new ApiError(400, 'Cannot set username for connection without requires_username', 'operation_not_supported');
    if (others.some((u) => u.username?.toLowerCase() === username.toLowerCase())) {
      throw new ApiError(400, 'The specified new username already exists', 'username_conflict');
    }
  }
}

function sortUsers(users: UserRecord[], sort: string | undefined): UserRecord[] {
  if (!sort) return users;
  const [field, direction] = sort.split(':');
  const sign = direction === '-1' ? -1 : 1;
  const key = (field ?? 'created_at') as keyof UserRecord;
  const text = (u: UserRecord): string => {
    const value = u[key];
    // Object fields (app_metadata, identities) order by their JSON.
    return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
  // Ordinal: ISO dates and ids order as text.
  return [...users].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0) * sign);
}

function withApiErrors<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    // A refused password is `{ statusCode: 400, error: 'Bad Request', message: 'PasswordStrengthError: Password is too weak' }`,
    // without an errorCode (a real tenant's answer, community.auth0.com/t/79241 "PasswordStrengthError on Management API").
    if (error instanceof PasswordRejectedError) throw new ApiError(400, error.message);
    if (error instanceof UserOperationError) throw new ApiError(error.statusCode, error.message, error.errorCode);
    throw error;
  }
}

function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
