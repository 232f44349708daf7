import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import policies from 'auth0-password-policies';
import { PasswordPolicy, type PasswordRules, type PolicyCheck } from 'password-sheriff';
import type { ConnectionRecord, JsonObject, JsonValue, UserRecord } from './types';

const KEY_LENGTH = 32;

/**
 * scrypt's cost for new hashes: N = 2^10, about 2 ms of CPU. The local tenant keeps no password
 * in clear (its state file may be shared), but it holds test accounts, not people's passwords,
 * and a test run creates thousands of users: at Node's default N = 2^14 (about 35 ms each,
 * synchronous on creation) hashing was half the CPU of the bulk invitation's tests. Auth0's own
 * hashing is bcrypt on its servers; nothing of ours depends on its cost, only on a login's
 * password check running off the event loop (below).
 */
const COST_LOG2 = 10;
/** Hashes written before the cost was stored (`scrypt$<salt>$<hash>`) used Node's default. */
const LEGACY_COST_LOG2 = 14;

/** Passwords are stored only as scrypt hashes: `scrypt$<log2 N>$<salt>$<hash>` (base64). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEY_LENGTH, { N: 2 ** COST_LOG2 });
  return `scrypt$${COST_LOG2}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function verifyPassword(password: string, stored: string | undefined): boolean {
  const parts = storedHash(stored);
  if (!parts) return false;
  return timingSafeEqual(parts.expected, scryptSync(password, parts.salt, parts.expected.length, { N: parts.cost }));
}

/**
 * The same check off the event loop, for logins: two logins at once are checked side by side, as
 * on Auth0's servers, instead of the second queueing behind the first one's hash.
 */
export async function verifyPasswordConcurrently(password: string, stored: string | undefined): Promise<boolean> {
  const parts = storedHash(stored);
  if (!parts) return false;
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, parts.salt, parts.expected.length, { N: parts.cost }, (error, key) => (error ? reject(error) : resolve(key))),
  );
  return timingSafeEqual(parts.expected, actual);
}

function storedHash(stored: string | undefined): { cost: number; salt: Buffer; expected: Buffer } | undefined {
  const [scheme, ...rest] = stored?.split('$') ?? [];
  if (scheme !== 'scrypt') return undefined;
  const [costText, saltB64, hashB64] = rest.length === 2 ? [String(LEGACY_COST_LOG2), ...rest] : rest;
  const costLog2 = Number(costText);
  if (!saltB64 || !hashB64 || !Number.isInteger(costLog2) || costLog2 < 1 || costLog2 > 20) return undefined;
  return { cost: 2 ** costLog2, salt: Buffer.from(saltB64, 'base64'), expected: Buffer.from(hashB64, 'base64') };
}

/*
 * The password policy of a database connection, with Auth0's legacy option names (docs-v2
 * authenticate/database-connections/password-options.mdx, flexible-password-policy.mdx):
 * `passwordPolicy`, `password_complexity_options.min_length`, `password_history`,
 * `password_dictionary`, `password_no_personal_info`. The strength levels are Auth0's own
 * rules, from its `auth0-password-policies` package (password-sheriff).
 */

type PasswordPolicyName = 'none' | 'low' | 'fair' | 'good' | 'excellent';
const POLICY_NAMES: readonly PasswordPolicyName[] = ['none', 'low', 'fair', 'good', 'excellent'];

/**
 * A connection without `passwordPolicy` is read as `good`: Auth0 sets `good` on a database
 * connection created without one (go-auth0 recording TestConnectionManager_Create
 * "It_can_successfully_create_a_Auth0_Connection": POST without it answers `passwordPolicy: "good"`),
 * though docs-v2 password-strength.mdx still calls `none` the default. The stricter reading wins.
 */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicyName = 'good';

/** Why Auth0 refuses a password: the error `name` and `message` its APIs answer with. */
export type PasswordRejectionName =
  'PasswordStrengthError' | 'PasswordHistoryError' | 'PasswordDictionaryError' | 'PasswordNoUserInfoError';

export interface PasswordRejection {
  name: PasswordRejectionName;
  message: string;
  /**
   * The Authentication API's `description`: for strength, password-sheriff's rule report
   * (`{ rules: [{ message, format, code, verified, items? }], verified: false }`); else a sentence.
   */
  description: JsonValue;
  /** For strength only: the policy as Auth0's `policy` field prints it ("* At least 8 characters in length\n..."). */
  policy?: string;
}

function obj(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function passwordPolicyName(connection: ConnectionRecord): PasswordPolicyName {
  const value = connection.options['passwordPolicy'];
  return POLICY_NAMES.find((name) => name === value) ?? DEFAULT_PASSWORD_POLICY;
}

/** The strength rules: the level's, with `password_complexity_options.min_length` replacing its length (password-strength.mdx). */
function strengthPolicy(connection: ConnectionRecord): PasswordPolicy {
  const rules: PasswordRules = { ...policies[passwordPolicyName(connection)] };
  const minLength = obj(connection.options['password_complexity_options'])?.['min_length'];
  if (typeof minLength === 'number' && Number.isInteger(minLength) && minLength >= 1) rules.length = { minLength };
  return new PasswordPolicy(rules);
}

/** What the personal-data rule compares with (password-options.mdx "Block personal data"). */
interface PasswordOwner {
  email?: string | undefined;
  username?: string | undefined;
  name?: string | undefined;
  nickname?: string | undefined;
  user_metadata?: JsonObject | undefined;
}

/**
 * Auth0's verdict on a new password for this connection, or undefined when it is accepted.
 * `history` holds the hashes of the user's most recent passwords (newest first) when one is
 * being changed. The dictionary rule checks the connection's own entries only: Auth0's built-in
 * list of 10,000 common passwords is not shipped here (a difference the docs list).
 */
export function passwordRejection(
  connection: ConnectionRecord,
  password: string,
  owner: PasswordOwner,
  history: readonly string[] = [],
): PasswordRejection | undefined {
  const strength = strengthPolicy(connection);
  if (!strength.check(password)) {
    const report: PolicyCheck = strength.missing(password);
    return {
      name: 'PasswordStrengthError',
      message: 'Password is too weak',
      description: report as unknown as JsonValue,
      policy: strength.toString(),
    };
  }
  const historyOption = obj(connection.options['password_history']);
  const size = historyOption?.['enable'] === true && typeof historyOption['size'] === 'number' ? historyOption['size'] : 0;
  if (size > 0 && history.slice(0, size).some((hash) => verifyPassword(password, hash))) {
    return {
      name: 'PasswordHistoryError',
      message: 'Password has previously been used',
      description: `You may not reuse any of the last ${size} passwords.`,
    };
  }
  const dictionary = obj(connection.options['password_dictionary']);
  if (dictionary?.['enable'] === true) {
    const entries = Array.isArray(dictionary['dictionary']) ? dictionary['dictionary'] : [];
    if (entries.some((entry) => typeof entry === 'string' && entry.toLowerCase() === password.toLowerCase())) {
      return {
        name: 'PasswordDictionaryError',
        message: 'Password is too common',
        description: 'Password is not allowed, it might be too common.',
      };
    }
  }
  if (obj(connection.options['password_no_personal_info'])?.['enable'] === true && containsPersonalData(password, owner)) {
    return {
      name: 'PasswordNoUserInfoError',
      message: 'Password contains user information',
      description: 'Password contains user information',
    };
  }
  return undefined;
}

function containsPersonalData(password: string, owner: PasswordOwner): boolean {
  const metadata = owner.user_metadata ?? {};
  const values = [
    owner.name,
    owner.username,
    owner.nickname,
    metadata['name'],
    metadata['first'],
    metadata['last'],
    owner.email?.split('@')[0],
  ];
  const lower = password.toLowerCase();
  return values.some((value) => typeof value === 'string' && value.length > 0 && lower.includes(value.toLowerCase()));
}

/** Auth0 retains up to 24 passwords of history (password-options.mdx). */
const HISTORY_KEPT = 24;

/**
 * Sets a user's new password if the connection's policy accepts it (history included), keeping
 * the old hash in the history; returns the rejection otherwise and changes nothing.
 */
export function changePassword(user: UserRecord, connection: ConnectionRecord, password: string): PasswordRejection | undefined {
  const history = [...(user.password_hash !== undefined ? [user.password_hash] : []), ...(user.password_history ?? [])];
  const rejection = passwordRejection(connection, password, user, history);
  if (rejection) return rejection;
  user.password_hash = hashPassword(password);
  user.password_history = history.slice(0, HISTORY_KEPT - 1);
  return undefined;
}

/** The Management API's message for a refused password: `PasswordStrengthError: Password is too weak`. */
export function managementPasswordMessage(rejection: PasswordRejection): string {
  return `${rejection.name}: ${rejection.message}`;
}
