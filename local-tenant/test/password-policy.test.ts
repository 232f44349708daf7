import type { ManagementClient } from 'auth0';
import { passwordRejection } from '../state/passwords';
import type { ConnectionRecord } from '../state/types';
import type { LocalTenant } from '../server';
import { managementClient, seedTenant, startTestTenant, tokenFor, trustingFetch } from './helpers';

let tenant: LocalTenant;
let mgmt: ManagementClient;
let appClientId: string;

/** As this project's tenant declares its connections (tenant/database-connections), plus the optional rules. */
const STRICT = 'strict';

beforeAll(async () => {
  tenant = await startTestTenant();
  ({ appClientId } = seedTenant(tenant));
  tenant.store.add('connections', {
    id: 'con_strict',
    name: STRICT,
    strategy: 'auth0',
    options: {
      passwordPolicy: 'good',
      password_complexity_options: { min_length: 12 },
      password_history: { enable: true, size: 2 },
      password_dictionary: { enable: true, dictionary: ['Correct-Horse-99'] },
      password_no_personal_info: { enable: true },
    },
    enabled_clients: [appClientId],
  });
  mgmt = managementClient(tenant);
});
afterAll(async () => tenant.stop());

const connection = (options: ConnectionRecord['options']): ConnectionRecord => ({
  id: 'con_x',
  name: 'x',
  strategy: 'auth0',
  options,
  enabled_clients: [],
});

describe("Auth0's strength levels, from auth0-password-policies", () => {
  test("a `good` policy reports 'hello' as docs-v2 password-strength.mdx shows it", () => {
    const rejection = passwordRejection(connection({ passwordPolicy: 'good' }), 'hello', {});
    expect(rejection?.name).toBe('PasswordStrengthError');
    expect(rejection?.message).toBe('Password is too weak');
    expect(rejection?.description).toEqual({
      rules: [
        { message: 'At least %d characters in length', format: [8], code: 'lengthAtLeast', verified: false },
        {
          message: 'Contain at least %d of the following %d types of characters:',
          format: [3, 4],
          code: 'containsAtLeast',
          verified: false,
          items: [
            { message: 'lower case letters (a-z)', code: 'lowerCase', verified: true },
            { message: 'upper case letters (A-Z)', code: 'upperCase', verified: false },
            { message: 'numbers (i.e. 0-9)', code: 'numbers', verified: false },
            { message: 'special characters (e.g. !@#$%^&*)', code: 'specialCharacters', verified: false },
          ],
        },
      ],
      verified: false,
    });
    expect(rejection?.policy).toBe(
      '* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n' +
        ' * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)',
    );
  });

  test.each([
    ['none', '1', true],
    ['low', '12345', false],
    ['low', '123456', true],
    ['fair', 'abcdefg1', false],
    ['fair', 'Abcdefg1', true],
    ['good', 'abcdefg1', false],
    ['good', 'abcdef-1', true],
    ['excellent', 'Abcdef-123', true],
    ['excellent', 'Abcdef-111', false],
    ['excellent', 'Abcdef-12', false],
  ])('%s: %s accepted = %s', (policy, password, accepted) => {
    expect(passwordRejection(connection({ passwordPolicy: policy }), password, {}) === undefined).toBe(accepted);
  });

  test('min_length replaces the level\'s length; a connection without a policy is held to "good"', () => {
    const twelve = connection({ passwordPolicy: 'good', password_complexity_options: { min_length: 12 } });
    expect(passwordRejection(twelve, 'Passw0rd!ab', {})?.name).toBe('PasswordStrengthError');
    expect(passwordRejection(twelve, 'Passw0rd!abc', {})).toBeUndefined();
    expect(passwordRejection(connection({}), 'abcdefgh', {})?.name).toBe('PasswordStrengthError');
    expect(passwordRejection(connection({}), 'abcdefg1!', {})).toBeUndefined();
  });
});

describe('enforced where a password is set, with each API body', () => {
  const weakBody = { statusCode: 400, error: 'Bad Request', message: 'PasswordStrengthError: Password is too weak' };

  async function managementCall(method: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const res = await trustingFetch(tenant)(`${tenant.httpsUrl}/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${await tokenFor(tenant)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  test('POST /api/v2/users and PATCH /api/v2/users/{id}: 400 with the message only, nothing changed', async () => {
    expect(await managementCall('POST', '/users', { connection: STRICT, email: 'weak@example.com', password: 'Passw0rd!' })).toEqual({
      status: 400,
      body: weakBody,
    });
    const user = await mgmt.users.create({ connection: STRICT, email: 'ok@example.com', password: 'Long-enough-pw-1' });
    const before = tenant.store.findUser(user.user_id!)?.password_hash;
    expect(await managementCall('PATCH', `/users/${user.user_id}`, { password: 'short-1A', name: 'Renamed' })).toEqual({
      status: 400,
      body: weakBody,
    });
    expect(tenant.store.findUser(user.user_id!)?.password_hash).toBe(before);
    expect(tenant.store.findUser(user.user_id!)?.name).toBe('ok@example.com');
    // History (size 2): the current password and the one before may not come back.
    await mgmt.users.update(user.user_id!, { password: 'Second-password-2' });
    for (const reused of ['Second-password-2', 'Long-enough-pw-1']) {
      expect(await managementCall('PATCH', `/users/${user.user_id}`, { password: reused })).toEqual({
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: 'PasswordHistoryError: Password has previously been used' },
      });
    }
    expect(await managementCall('PATCH', `/users/${user.user_id}`, { password: 'Correct-Horse-99' })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'PasswordDictionaryError: Password is too common' },
    });
    expect(await managementCall('PATCH', `/users/${user.user_id}`, { password: 'xx-OK@example-1' })).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'PasswordNoUserInfoError: Password contains user information' },
    });
    expect((await managementCall('PATCH', `/users/${user.user_id}`, { password: 'Third-password-3' })).status).toBe(200);
  });

  test("/dbconnections/signup answers Auth0's PasswordStrengthError body", async () => {
    const res = await fetch(`${tenant.httpUrl}/dbconnections/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: appClientId, connection: STRICT, email: 'signup@example.com', password: 'hello1234' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      name: 'PasswordStrengthError',
      message: 'Password is too weak',
      code: 'invalid_password',
      description: {
        rules: expect.arrayContaining([expect.objectContaining({ code: 'lengthAtLeast', format: [12], verified: false })]),
        verified: false,
      },
      policy: expect.stringMatching(/^\* At least 12 characters in length\n/),
      statusCode: 400,
    });
    expect(tenant.store.data.users.some((u) => u.email === 'signup@example.com')).toBe(false);
  });

  test('the password-change page refuses a weak password, says which rules fail, and keeps the ticket usable', async () => {
    const user = await mgmt.users.create({ connection: STRICT, email: 'reset@example.com', password: 'Long-enough-pw-1' });
    const { ticket: link } = await mgmt.tickets.changePassword({ user_id: user.user_id!, ttl_sec: 600 });
    const ticket = new URL(link).searchParams.get('ticket') ?? '';
    const submit = (password: string) =>
      fetch(`${tenant.httpUrl}/lo/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ticket, password, password_confirm: password }).toString(),
        redirect: 'manual',
      });
    const weak = await submit('alllowercase');
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain(
      'Password is too weak: Contain at least 3 of the following 4 types of characters: upper case letters (A-Z), numbers (i.e. 0-9), special characters (e.g. !@#$%^&amp;*).',
    );
    expect([200, 302]).toContain((await submit('A-strong-new-password-9')).status);
  });

  test('a database connection created without a policy gets "good", as a real tenant answers', async () => {
    const created = await mgmt.connections.create({ name: 'no-policy', strategy: 'auth0' });
    expect(created.options).toEqual(expect.objectContaining({ passwordPolicy: 'good' }));
    await mgmt.connections.delete(created.id!);
  });
});
