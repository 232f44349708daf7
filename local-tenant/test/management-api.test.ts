import { ManagementError, type ManagementClient } from 'auth0';
import type { LocalTenant } from '../server';
import {
  BOOTSTRAP,
  deployWhenBuilt,
  managementClient,
  searchCaughtUp,
  seedTenant,
  startTestTenant,
  tokenFor,
  trustingFetch,
} from './helpers';

let tenant: LocalTenant;
let mgmt: ManagementClient;
let appClientId: string;

beforeAll(async () => {
  tenant = await startTestTenant({ timings: { actionBuildMs: 50 } });
  ({ appClientId } = seedTenant(tenant));
  mgmt = managementClient(tenant);
});
afterAll(async () => tenant.stop());

async function expectError(promise: Promise<unknown>, status: number, errorCode?: string): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ManagementError);
    const e = error as ManagementError;
    expect(e.statusCode).toBe(status);
    const body = e.body as Record<string, unknown>;
    expect(body).toEqual(expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String) }));
    if (errorCode) expect(body['errorCode']).toBe(errorCode);
    return body;
  }
  throw new Error('expected an error');
}

describe('oauth/token and bearer tokens', () => {
  test('client credentials give a Bearer token with Auth0 fields', async () => {
    const res = await trustingFetch(tenant)(`${tenant.httpsUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...BOOTSTRAP, audience: `${tenant.httpsUrl}/api/v2/` }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 86400,
      scope: expect.stringContaining('create:user_tickets'),
    });
  });

  test('a wrong secret is 401 access_denied', async () => {
    const res = await trustingFetch(tenant)(`${tenant.httpsUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: BOOTSTRAP.client_id, client_secret: 'nope' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
  });

  test('the Management API needs a valid bearer token', async () => {
    const f = trustingFetch(tenant);
    const missing = await f(`${tenant.httpsUrl}/api/v2/users`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing authentication',
      errorCode: 'invalid_token',
    });
    const bad = await f(`${tenant.httpsUrl}/api/v2/users`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    const ok = await f(`${tenant.httpsUrl}/api/v2/users`, { headers: { authorization: `Bearer ${await tokenFor(tenant)}` } });
    expect(ok.status).toBe(200);
    expect(Array.isArray(await ok.json())).toBe(true);
  });
});

describe('users through the auth0 v7 SDK', () => {
  test('create, get, update metadata one level deep, delete', async () => {
    const created = await mgmt.users.create({
      connection: 'members',
      email: 'Ada@Example.com',
      password: 'Passw0rd!',
      app_metadata: { invite: true, plan: { tier: 'gold' } },
      user_metadata: { locale: 'fr' },
    });
    expect(created.user_id).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect(created).toEqual(
      expect.objectContaining({
        email: 'ada@example.com',
        email_verified: false,
        app_metadata: { invite: true, plan: { tier: 'gold' } },
        identities: [{ connection: 'members', provider: 'auth0', user_id: created.user_id?.replace('auth0|', ''), isSocial: false }],
      }),
    );
    expect(created).not.toHaveProperty('password_hash');
    expect(JSON.stringify(tenant.store.data.users)).not.toContain('Passw0rd!');

    const id = created.user_id as string;
    const updated = await mgmt.users.update(id, { app_metadata: { invite: null, plan: { tier: 'silver' }, welcome_email_sent: true } });
    expect(updated.app_metadata).toEqual({ plan: { tier: 'silver' }, welcome_email_sent: true });
    expect((await mgmt.users.get(id)).user_metadata).toEqual({ locale: 'fr' });

    await mgmt.users.delete(id);
    await expectError(mgmt.users.get(id), 404, 'inexistent_user');
  });

  test('409 on a duplicate email in a unique-email connection', async () => {
    await mgmt.users.create({ connection: 'members', email: 'dup@example.com', password: 'Passw0rd!' });
    const body = await expectError(
      mgmt.users.create({ connection: 'members', email: 'DUP@example.com', password: 'Passw0rd!' }),
      409,
      'auth0_idp_error',
    );
    expect(body['message']).toBe('The user already exists.');
  });

  test('non-unique email connection: same email twice, username required and unique', async () => {
    const a = await mgmt.users.create({
      connection: 'shared-inbox',
      email: 'family@example.com',
      username: 'alice',
      password: 'Passw0rd!',
    });
    const b = await mgmt.users.create({ connection: 'shared-inbox', email: 'family@example.com', username: 'bob', password: 'Passw0rd!' });
    expect(a.user_id).not.toBe(b.user_id);
    await expectError(
      mgmt.users.create({ connection: 'shared-inbox', email: 'family@example.com', password: 'Passw0rd!' }),
      400,
      'invalid_body',
    );
    await expectError(
      mgmt.users.create({ connection: 'shared-inbox', email: 'x@example.com', username: 'Alice', password: 'Passw0rd!' }),
      409,
    );
    const byEmail = await mgmt.users.listUsersByEmail({ email: 'Family@example.com' });
    expect(byEmail.map((u) => u.username).sort()).toEqual(['alice', 'bob']);
  });

  test('a username on a connection without usernames is refused; a weak password too', async () => {
    await expectError(mgmt.users.create({ connection: 'members', email: 'u@example.com', username: 'u1', password: 'Passw0rd!' }), 400);
    const weak = await expectError(mgmt.users.create({ connection: 'members', email: 'weak@example.com', password: 'short' }), 400);
    expect(weak).toEqual({ statusCode: 400, error: 'Bad Request', message: 'PasswordStrengthError: Password is too weak' });
    await expectError(
      mgmt.users.create({ connection: 'nope', email: 'n@example.com', password: 'Passw0rd!' }),
      400,
      'inexistent_connection',
    );
  });

  test('list with q (field:value, quotes, AND, app_metadata.*), totals and pages', async () => {
    await mgmt.users.create({
      connection: 'members',
      email: 'q1@example.com',
      password: 'Passw0rd!',
      app_metadata: { invite: true, team: 'red team' },
    });
    await mgmt.users.create({
      connection: 'members',
      email: 'q2@example.com',
      password: 'Passw0rd!',
      app_metadata: { invite: false, team: 'red team' },
    });
    await searchCaughtUp(tenant);
    const page = await mgmt.users.list({ q: 'app_metadata.team:"red team" AND app_metadata.invite:true', search_engine: 'v3' });
    expect(page.data.map((u) => u.email)).toEqual(['q1@example.com']);
    const byName = await mgmt.users.list({ q: 'username:alice', search_engine: 'v3' });
    expect(byName.data.map((u) => u.username)).toEqual(['alice']);
    const logins = await mgmt.users.list({ q: 'logins_count:0 AND email:q2@example.com' });
    expect(logins.data).toHaveLength(1);

    const raw = await trustingFetch(tenant)(
      `${tenant.httpsUrl}/api/v2/users?include_totals=true&per_page=2&page=1&q=${encodeURIComponent('email:q*')}`,
      {
        headers: { authorization: `Bearer ${await tokenFor(tenant)}` },
      },
    );
    const body = (await raw.json()) as Record<string, unknown>;
    expect(body).toEqual({ start: 2, limit: 2, length: 0, total: 2, users: [] });
  });

  test('a malformed q is 400', async () => {
    await expectError(mgmt.users.list({ q: 'email:"open' }), 400, 'invalid_query_string');
  });
});

describe('tickets', () => {
  let userId: string;
  beforeAll(async () => {
    const user = await mgmt.users.create({ connection: 'members', email: 'ticket@example.com', password: 'Passw0rd!' });
    userId = user.user_id as string;
  });

  test('password-change ticket URL is Auth0-shaped and ends with #', async () => {
    const { ticket } = await mgmt.tickets.changePassword({
      user_id: userId,
      result_url: 'http://localhost:3000/done',
      ttl_sec: 0,
      mark_email_as_verified: true,
      includeEmailInRedirect: false,
    });
    expect(ticket).toMatch(new RegExp(`^${tenant.httpUrl}/lo/reset\\?ticket=[A-Za-z0-9_-]+#$`));
    const stored = tenant.store.data.tickets.at(-1);
    // ttl_sec 0 means 5 days.
    expect(Date.parse(stored?.expires_at ?? '') - Date.parse(stored?.created_at ?? '')).toBe(432000 * 1000);
  });

  test('email-verification ticket URL', async () => {
    const { ticket } = await mgmt.tickets.verifyEmail({ user_id: userId, client_id: appClientId, ttl_sec: 60 });
    expect(ticket).toMatch(new RegExp(`^${tenant.httpUrl}/u/email-verification\\?ticket=[A-Za-z0-9_-]+#$`));
  });

  test('validation: result_url with client_id, unknown user, unknown client', async () => {
    await expectError(
      mgmt.tickets.changePassword({ user_id: userId, result_url: 'http://localhost/x', client_id: appClientId }),
      400,
      'invalid_body',
    );
    await expectError(mgmt.tickets.changePassword({ user_id: 'auth0|nobody' }), 404, 'inexistent_user');
    await expectError(mgmt.tickets.verifyEmail({ user_id: userId, client_id: 'nope' }), 400);
  });

  test('jobs/verification-email puts a verify_email in the outbox', async () => {
    const before = tenant.store.outbox.size;
    const job = await mgmt.jobs.verificationEmail.create({ user_id: userId });
    expect(job).toEqual(expect.objectContaining({ type: 'verification_email', id: expect.stringMatching(/^job_/) }));
    const emails = tenant.store.outbox.list({ to: 'ticket@example.com' });
    expect(tenant.store.outbox.size).toBe(before + 1);
    expect(emails.at(-1)?.source).toEqual({ kind: 'auth0', template: 'verify_email' });
    expect(emails.at(-1)?.html).toContain(`${tenant.httpUrl}/u/email-verification?ticket=`);
  });
});

describe('client_metadata', () => {
  const tenKeys = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`key_${i}`, 'v']));

  test('keeps up to 10 string values of up to 255 characters, as given', async () => {
    const metadata = { ...tenKeys, key_9: 'x'.repeat(255) };
    const updated = await mgmt.clients.update(appClientId, { client_metadata: metadata });
    expect(updated.client_metadata).toEqual(metadata);
    expect((await mgmt.clients.get(appClientId)).client_metadata).toEqual(metadata);
  });

  test("refuses an 11th key, a value over 255 characters and a non-string value with Auth0's 400 payload error, and keeps the old value", async () => {
    const before = (await mgmt.clients.get(appClientId)).client_metadata;
    const tooMany = await expectError(
      mgmt.clients.update(appClientId, { client_metadata: { ...tenKeys, key_10: 'v' } }),
      400,
      'invalid_body',
    );
    expect(tooMany['message']).toBe(
      "Payload validation error: 'Too many properties defined (11), maximum 10' on property client_metadata.",
    );
    const tooLong = await expectError(mgmt.clients.update(appClientId, { client_metadata: { a: 'x'.repeat(256) } }), 400, 'invalid_body');
    expect(tooLong['message']).toBe(
      "Payload validation error: 'String is too long (256 chars), maximum 255' on property client_metadata.a.",
    );
    await expectError(mgmt.clients.update(appClientId, { client_metadata: { a: 1 } }), 400, 'invalid_body');
    await expectError(
      mgmt.clients.create({ name: 'Too much metadata', client_metadata: { ...tenKeys, key_10: 'v' } }),
      400,
      'invalid_body',
    );
    expect((await mgmt.clients.get(appClientId)).client_metadata).toEqual(before);
  });
});

describe('email templates and provider', () => {
  test('404 for a missing template; provider credentials are never returned', async () => {
    await expectError(mgmt.emailTemplates.get('welcome_email'), 404, 'inexistent_email_template');
    const provider = await mgmt.emails.provider.get();
    expect(provider.name).toBe('sendgrid');
    expect(provider).not.toHaveProperty('credentials');
  });

  test("a template resultUrl is refused on a free tenant created today with Auth0's 403 body; an empty one passes", async () => {
    expect(tenant.profile.name).toBe('free');
    const template = { template: 'welcome_email' as const, body: '<p>hi</p>', from: '', subject: 'Hi', syntax: 'liquid', enabled: false };
    const refusal = {
      statusCode: 403,
      error: 'Forbidden',
      message: 'Customizations for resultUrl are not allowed for non-enterprise tenants',
      errorCode: 'insufficient_entitlement',
    };
    expect(await expectError(mgmt.emailTemplates.create({ ...template, resultUrl: 'https://app.example.com/x' }), 403)).toEqual(refusal);
    await mgmt.emailTemplates.create({ ...template, resultUrl: '' });
    expect(await expectError(mgmt.emailTemplates.update('welcome_email', { resultUrl: 'https://app.example.com/x' }), 403)).toEqual(
      refusal,
    );
    expect(await expectError(mgmt.emailTemplates.set('welcome_email', { ...template, resultUrl: 'https://a.example.com/' }), 403)).toEqual(
      refusal,
    );
    expect((await mgmt.emailTemplates.get('welcome_email')).resultUrl).toBe('');
  });

  test.each(['enterprise', 'free-legacy'] as const)('the %s profile accepts a template resultUrl', async (profile) => {
    const other = await startTestTenant({ profile });
    try {
      seedTenant(other);
      const created = await managementClient(other).emailTemplates.create({
        template: 'verify_email',
        body: '<p>{{ url }}</p>',
        from: '',
        subject: 'Verify',
        syntax: 'liquid',
        enabled: true,
        resultUrl: 'https://app.example.com/after-reset',
      });
      expect(created.resultUrl).toBe('https://app.example.com/after-reset');
    } finally {
      await other.stop();
    }
  });
});

describe('the custom email provider and its trigger', () => {
  test('the provider may be "custom" (no credentials) once its Action exists; an unknown provider name is refused', async () => {
    await expectError(mgmt.emails.provider.update({ name: 'custom', credentials: {} }), 400, 'invalid_body');
    const action = await mgmt.actions.create({
      name: 'mailer',
      code: 'exports.onExecuteCustomEmailProvider = async () => {};',
      supported_triggers: [{ id: 'custom-email-provider', version: 'v1' }],
    });
    const updated = await mgmt.emails.provider.update({
      name: 'custom',
      enabled: true,
      default_from_address: 'no-reply@example.com',
      credentials: {},
    });
    expect(updated).toEqual(expect.objectContaining({ name: 'custom', enabled: true }));
    expect((await mgmt.emails.provider.get()).name).toBe('custom');
    await expectError(mgmt.emails.provider.update({ name: 'pigeon' as 'custom' }), 400);
    await mgmt.emails.provider.delete();
    await mgmt.emails.provider.create({ name: 'custom', default_from_address: 'no-reply@example.com' } as Parameters<
      typeof mgmt.emails.provider.create
    >[0]);
    await mgmt.emails.provider.update({ name: 'sendgrid', credentials: { api_key: 'x' } });
    expect((await mgmt.emails.provider.get()).name).toBe('sendgrid');
    await mgmt.actions.delete(action.id!);
  });

  test('one Action at most on custom-email-provider', async () => {
    const code = 'exports.onExecuteCustomEmailProvider = async () => {};';
    const ids: string[] = [];
    for (const name of ['mailer-one', 'mailer-two']) {
      const action = await mgmt.actions.create({ name, code, supported_triggers: [{ id: 'custom-email-provider', version: 'v1' }] });
      await deployWhenBuilt(mgmt, action.id!);
      ids.push(action.id!);
    }
    const bound = await mgmt.actions.triggers.bindings.updateMany('custom-email-provider', {
      bindings: [{ ref: { type: 'action_name', value: 'mailer-one' }, display_name: 'mailer-one' }],
    });
    expect(bound.bindings?.map((b) => b.action?.name)).toEqual(['mailer-one']);
    const body = await expectError(
      mgmt.actions.triggers.bindings.updateMany('custom-email-provider', {
        bindings: [
          { ref: { type: 'action_name', value: 'mailer-one' }, display_name: 'mailer-one' },
          { ref: { type: 'action_name', value: 'mailer-two' }, display_name: 'mailer-two' },
        ],
      }),
      400,
    );
    expect(body['message']).toBe('Only one action can be bound to the custom-email-provider trigger');
    expect((await mgmt.actions.triggers.bindings.list('custom-email-provider')).data.map((b) => b.action?.name)).toEqual(['mailer-one']);
    await mgmt.actions.triggers.bindings.updateMany('custom-email-provider', { bindings: [] });
    for (const id of ids) await mgmt.actions.delete(id);
  });
});

describe('actions: every draft is built before it can be deployed, and every deploy is a version', () => {
  const code = 'exports.onExecutePostLogin = async () => {};';
  const triggers = [{ id: 'post-login' as const, version: 'v3' }];

  test('create and PATCH (even identical) leave the action pending; a deploy before it is built is refused with Auth0 text', async () => {
    // Long enough here that the deploy surely comes before the build ends, even on a loaded machine.
    tenant.profile.timings.actionBuildMs = 1500;
    const created = await mgmt.actions.create({ name: 'builds', code, supported_triggers: triggers });
    tenant.profile.timings.actionBuildMs = 50;
    expect(created.status).toBe('pending');
    const refused = await expectError(mgmt.actions.deploy(created.id!), 400);
    expect(refused['message']).toBe("A draft must be in the 'built' state before it can be deployed.");
    await deployWhenBuilt(mgmt, created.id!);
    expect((await mgmt.actions.get(created.id!)).status).toBe('built');

    const patched = await mgmt.actions.update(created.id!, { code, supported_triggers: triggers });
    expect(patched.status).toBe('pending');
    await deployWhenBuilt(mgmt, created.id!);
    const versions = (await mgmt.actions.versions.list(created.id!)).data;
    expect(versions.map((v) => [v.number, v.deployed, v.code])).toEqual([
      [2, true, code],
      [1, false, code],
    ]);
    await mgmt.actions.delete(created.id!);
  });

  test('past 50 versions the oldest goes, never the deployed one', async () => {
    const action = await mgmt.actions.create({ name: 'many-versions', code, supported_triggers: triggers });
    await deployWhenBuilt(mgmt, action.id!);
    const deployedId = tenant.store.data.actions.find((a) => a.id === action.id)!.deployed_version_id!;
    const first = tenant.store.data.action_versions.find((v) => v.id === deployedId)!;
    // 49 older versions besides the deployed one; version 1 stays deployed while they pile up.
    for (let n = 2; n <= 50; n++) tenant.store.add('action_versions', { ...first, id: `ver_${n}`, number: n, deployed: false });
    await deployWhenBuilt(mgmt, action.id!);
    const numbers = tenant.store.data.action_versions.filter((v) => v.action_id === action.id).map((v) => v.number);
    expect(numbers).toHaveLength(50);
    expect(Math.min(...numbers)).toBe(2);
    expect(Math.max(...numbers)).toBe(51);
    expect(
      tenant.store.data.action_versions.find((v) => v.id === tenant.store.data.actions.find((a) => a.id === action.id)?.deployed_version_id)
        ?.number,
    ).toBe(51);
    await mgmt.actions.delete(action.id!);
  });
});
