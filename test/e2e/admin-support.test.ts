/**
 * End to end, against a local tenant without the Actions (a tenant where the scripts send
 * themselves): the password reset to a secondary email by username on both connection kinds,
 * the secondary email itself, resends, direct invitations, and the commands run as processes
 * (exit codes, an invitation run killed and resumed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { commandProcessArgs } from '../support/command-process';
import { runInProcess } from '../support/command-runs';
import { ManagementClient } from 'auth0';
import { loadAdminConfig, requireSettings, type AdminConfig } from '../../admin/admin-config';
import { runBulkInvite } from '../../admin/bulk-invite';
import { ask, failureOf } from '../../admin/cli';
import { findOneUser, findOneUserAsking, UserLookupError, type Chooser } from '../../admin/find-user';
import type { DirectInvitation } from '../../admin/invite-user';
import { connectManagement, type AdminManagement } from '../../admin/management';
import { RateGovernor } from '../../admin/rate-limit';
import { PENDING_INVITATIONS_QUERY, resendToMatching, resendToUser, usersMatching } from '../../admin/resend';
import { PasswordResetError, sendPasswordReset } from '../../admin/secondary-email-reset';
import { setSecondaryEmail } from '../../admin/secondary-email';
import { LOCAL_CLIENTS, LOCAL_SENDGRID_KEY } from '../../local-tenant/local-stack';
import type { OutboxEmail } from '../../local-tenant/mail';
import type { LocalTenant } from '../../local-tenant/server';
import { BOOTSTRAP, searchCaughtUp, seedTenant, startTestTenant, trustingFetch } from '../../local-tenant/test/helpers';
import { linksOf } from '../support/local-stack-client';

jest.setTimeout(120_000);

const PASSWORD = 'Initial-password-123';
let tenant: LocalTenant;
let sdk: ManagementClient;
let config: AdminConfig;
let management: AdminManagement;
let appClientId: string;
const work = mkdtempSync(join(tmpdir(), 'admin-support-'));

/** What the commands read from the environment (a .env would give the same). */
function scriptEnv(): Record<string, string> {
  return {
    AUTH0_DOMAIN: tenant.domain,
    // The scripts' own application, with exactly its scopes (the Actions' one is not on this tenant).
    ADMIN_CLIENT_ID: LOCAL_CLIENTS.admin.client_id,
    ADMIN_CLIENT_SECRET: LOCAL_CLIENTS.admin.client_secret,
    INVITE_CLIENT_ID: appClientId,
  };
}

beforeAll(async () => {
  tenant = await startTestTenant({ sendgridApiKeys: [LOCAL_SENDGRID_KEY], machineClients: [LOCAL_CLIENTS.admin] });
  ({ appClientId } = seedTenant(tenant));
  // A third kind: unique emails, and usernames as well.
  tenant.store.add('connections', {
    id: 'con_staff',
    name: 'staff',
    strategy: 'auth0',
    options: { passwordPolicy: 'fair', requires_username: true },
    enabled_clients: [appClientId],
  });
  sdk = new ManagementClient({
    domain: tenant.domain,
    clientId: BOOTSTRAP.client_id,
    clientSecret: BOOTSTRAP.client_secret,
    fetch: trustingFetch(tenant),
    maxRetries: 0,
  });
  // In process the SendGrid stand-in is reached over plain HTTP; the commands below use the default, HTTPS.
  config = loadAdminConfig({ environment: 'local', env: { ...scriptEnv(), SENDGRID_BASE_URL: `${tenant.httpUrl}/sendgrid` } });
  management = connectManagement({
    credentials: requireSettings(config, { m: config.management }).m,
    governor: new RateGovernor({ backoffMs: 50 }),
    fetch: trustingFetch(tenant),
  });
});

afterAll(async () => {
  await tenant?.stop();
});

async function createUser(connection: string, fields: { email: string; username?: string; app_metadata?: Record<string, unknown> }) {
  const user = await sdk.users.create({ connection, password: PASSWORD, ...fields });
  return user.user_id!;
}

const outboxTo = (address: string): OutboxEmail[] => tenant.store.outbox.list({ to: address });
const dataOf = (email: OutboxEmail | undefined) => (email?.source.kind === 'sendgrid' ? email.source.dynamicTemplateData : undefined);

async function setPasswordWith(link: string, password: string): Promise<number> {
  const ticket = new URL(link).searchParams.get('ticket') ?? '';
  const response = await fetch(new URL('/lo/reset', link), {
    method: 'POST',
    body: new URLSearchParams({ ticket, password, password_confirm: password }),
    redirect: 'manual',
  });
  return response.status;
}

async function login(connection: string, username: string, password: string): Promise<number> {
  const response = await fetch(`${tenant.httpUrl}/local/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ connection, username, password }),
  });
  return response.status;
}

function resetSettings() {
  const { reset, mail } = requireSettings(config, { reset: config.passwordReset, mail: config.mail });
  return { reset, mail };
}

/** Runs a command as `npm run <name>` runs it (`node --require tsx/cjs scripts/<name>.ts ...`), in a folder without a .env. */
function runScript(
  name: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, commandProcessArgs(name, args), {
    cwd: work,
    env: Object.fromEntries(
      Object.entries({
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...scriptEnv(),
        NODE_EXTRA_CA_CERTS: tenant.caCertPath,
        ...env,
      }).filter(([, value]) => value !== undefined),
    ),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('secondary email', () => {
  it('is stored in app_metadata with its verified flag, which a new address resets, and can be removed', async () => {
    const id = await createUser('shared-inbox', { email: 'home1@example.com', username: 'sec-kid' });
    await searchCaughtUp(tenant);
    const user = () => findOneUser(management, { username: 'sec-kid' });

    await setSecondaryEmail(management, await user(), { email: 'parent@example.org', verified: true });
    expect((await sdk.users.get(id)).app_metadata).toEqual({ secondary_email: 'parent@example.org', secondary_email_verified: true });
    await setSecondaryEmail(management, await user(), { email: 'other@example.org', verified: false });
    expect((await sdk.users.get(id)).app_metadata).toEqual({ secondary_email: 'other@example.org', secondary_email_verified: false });
    expect((await sdk.users.get(id)).user_metadata ?? {}).toEqual({});

    await expect(setSecondaryEmail(management, await user(), { email: 'HOME1@example.com', verified: false })).rejects.toThrow(
      'The secondary email is the same as the login email.',
    );
    await expect(setSecondaryEmail(management, await user(), { email: 'nope', verified: false })).rejects.toThrow('not a valid address');
    await setSecondaryEmail(management, await user(), { email: null, verified: false });
    expect((await sdk.users.get(id)).app_metadata).toEqual({});
  });
});

describe('password reset to the secondary email, by username', () => {
  it('on the connection with non-unique emails: the right account among those sharing the address', async () => {
    const kidA = await createUser('shared-inbox', { email: 'family@example.com', username: 'kid-a' });
    const kidB = await createUser('shared-inbox', { email: 'family@example.com', username: 'kid-b' });
    // Found by username through user search, which shows new users after its lag (as Auth0's does).
    await searchCaughtUp(tenant);
    await setSecondaryEmail(management, await findOneUser(management, { username: 'kid-a' }), {
      email: 'parent-a@example.org',
      verified: false,
    });

    const result = await sendPasswordReset(management, resetSettings(), { username: 'kid-a' });
    expect(result).toMatchObject({
      userId: kidA,
      username: 'kid-a',
      connection: 'shared-inbox',
      recipient: 'secondary',
      secondaryVerified: false,
    });
    const [email, ...more] = outboxTo('parent-a@example.org');
    expect(more).toEqual([]);
    expect(outboxTo('family@example.com')).toEqual([]);
    expect(email?.source).toMatchObject({ kind: 'sendgrid', templateId: 'd-local-password-reset' });
    expect(email?.subject).toBe('Reset your Email Flows password: account kid-a');
    expect(dataOf(email)).toMatchObject({ username: 'kid-a', email: 'family@example.com', to_secondary: true, locale: 'en' });
    expect(email?.html).toContain('You receive this message at a secondary address');

    // The link resets kid-a's password, not kid-b's, and leaves the login email unverified.
    const link = linksOf(email!.html).find((href) => href.includes('/lo/reset?ticket='))!;
    expect([200, 302]).toContain(await setPasswordWith(link, 'Brand-new-password-1'));
    expect(await login('shared-inbox', 'kid-a', 'Brand-new-password-1')).toBe(200);
    expect(await login('shared-inbox', 'kid-b', 'Brand-new-password-1')).toBe(403);
    expect((await sdk.users.get(kidA)).email_verified).toBe(false);
    expect(kidB).not.toBe(kidA);
  });

  it('on a connection with unique emails and usernames', async () => {
    const grace = await createUser('staff', {
      email: 'grace@example.com',
      username: 'grace',
      app_metadata: { secondary_email: 'grace@home.example.org', secondary_email_verified: true },
    });
    await searchCaughtUp(tenant);
    const result = await sendPasswordReset(management, resetSettings(), { username: 'grace' });
    expect(result).toMatchObject({ userId: grace, connection: 'staff', recipient: 'secondary', secondaryVerified: true });
    expect(outboxTo('grace@home.example.org')).toHaveLength(1);
    expect(outboxTo('grace@example.com')).toHaveLength(0);
  });

  it('a user with no secondary email: a clear refusal, or the login email with toPrimary', async () => {
    const id = await createUser('shared-inbox', { email: 'lonely@example.com', username: 'lonely' });
    await searchCaughtUp(tenant);
    const refused = sendPasswordReset(management, resetSettings(), { username: 'lonely' });
    await expect(refused).rejects.toBeInstanceOf(PasswordResetError);
    await expect(refused).rejects.toThrow(`Account lonely (${id}) has no secondary email. Set one with \`npm run set-secondary-email\``);
    expect(outboxTo('lonely@example.com')).toHaveLength(0);

    const sent = await sendPasswordReset(management, resetSettings(), { username: 'lonely', toPrimary: true });
    expect(sent.recipient).toBe('primary');
    const [email] = outboxTo('lonely@example.com');
    expect(dataOf(email)).toMatchObject({ username: 'lonely', to_secondary: false });
    expect(email?.html).not.toContain('secondary address');
  });

  it('an unknown username: a clear message and a non-zero exit code from the command', async () => {
    const before = tenant.store.outbox.size;
    const { done } = runScript('reset-password', ['--username', 'nobody']);
    const { code, stdout, stderr } = await done;
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      'No user with username "nobody" (user search shows a new user a few seconds after its creation; --user-id or --email read at once).',
    );
    expect(stdout).toBe('');
    expect(tenant.store.outbox.size).toBe(before);
  });

  it('the commands, end to end: set-secondary-email then reset-password (TLS to the tenant and its SendGrid stand-in)', async () => {
    await createUser('shared-inbox', { email: 'family@example.com', username: 'kid-c' });
    // The CA as the environment names it (LOCAL_TENANT_CA_CERT, as `npm start` writes it), not NODE_EXTRA_CA_CERTS.
    const caFromEnvironment = { NODE_EXTRA_CA_CERTS: undefined, LOCAL_TENANT_CA_CERT: tenant.caCertPath };
    const set = await runScript(
      'set-secondary-email',
      ['--username', 'kid-c', '--secondary-email', 'parent-c@example.org', '--verified'],
      caFromEnvironment,
    ).done;
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^Stored the secondary email of kid-c \(auth0\|\w+\), marked verified\.\n$/);
    const reset = await runScript('reset-password', ['--username', 'kid-c', '--connection', 'shared-inbox'], caFromEnvironment).done;
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Sent a password-reset link for account kid-c');
    expect(reset.stdout).toContain('to its secondary email (verified)');
    // The console never shows an address.
    expect(`${set.stdout}${reset.stdout}`).not.toMatch(/@example/);
    expect(outboxTo('parent-c@example.org')).toHaveLength(1);
  });
});

describe('resend', () => {
  let direct: DirectInvitation;
  beforeAll(() => {
    const { ticket, mail } = requireSettings(config, { ticket: config.invite.ticket, mail: config.mail });
    direct = { ticket, mail, templates: config.invite.templates };
  });

  it('an email shared by several users is refused with their usernames; by username it is sent', async () => {
    await createUser('shared-inbox', { email: 'twins@example.com', username: 'twin-1', app_metadata: { invite: true } });
    await createUser('shared-inbox', { email: 'twins@example.com', username: 'twin-2', app_metadata: { invite: true } });
    await searchCaughtUp(tenant);
    const lookup = findOneUser(management, { email: 'twins@example.com' });
    await expect(lookup).rejects.toBeInstanceOf(UserLookupError);
    await expect(lookup).rejects.toThrow(/2 users share that email; give the username \(--username <name>\):\n {2}twin-\d {2}auth0\|/);
    await expect(lookup).rejects.toMatchObject({ kind: 'ambiguous', candidates: [{ username: 'twin-1' }, { username: 'twin-2' }] });

    const outcome = await resendToUser(management, { invitation: direct }, await findOneUser(management, { username: 'twin-2' }), {
      kind: 'invitation',
    });
    expect(outcome).toMatchObject({ status: 'sent', username: 'twin-2' });
    expect(outcome.reason).toBeUndefined();
    // Recorded as the Action records its own: a bulk run of the same CSV does not send it again.
    expect((await findOneUser(management, { username: 'twin-2' })).app_metadata).toMatchObject({ invitation_email_sent: true });
    expect((await findOneUser(management, { username: 'twin-1' })).app_metadata.invitation_email_sent).toBeUndefined();
    const [invitation] = outboxTo('twins@example.com');
    expect(dataOf(invitation)).toMatchObject({ username: 'twin-2' });
    expect(String(dataOf(invitation)?.ticket_url)).toMatch(/#type=invite&app=Email%20Flows$/);
  });

  it('to every pending invitation of a connection; a verification email records that it was sent', async () => {
    await createUser('staff', { email: 'p1@example.com', username: 'p1', app_metadata: { invite: true } });
    await createUser('staff', { email: 'p2@example.com', username: 'p2', app_metadata: { invite: true } });
    await createUser('staff', { email: 'done@example.com', username: 'done', app_metadata: { invite: false } });
    await searchCaughtUp(tenant);
    const sent: string[] = [];
    const summary = await resendToMatching(
      management,
      { invitation: direct },
      usersMatching(management, PENDING_INVITATIONS_QUERY, 'staff'),
      {
        kind: 'invitation',
        onUser: (o) => sent.push(`${o.username} ${o.status}`),
      },
    );
    expect(summary).toMatchObject({ matched: 2, sent: 2, failed: 0 });
    expect(sent.sort()).toEqual(['p1 sent', 'p2 sent']);
    expect(outboxTo('done@example.com')).toHaveLength(0);

    const { verify, mail } = requireSettings(config, { verify: config.verify.verify, mail: config.mail });
    const p1 = await findOneUser(management, { username: 'p1' });
    const verification = await resendToUser(management, { verification: { ...verify, appName: 'Email Flows', mail, templates: {} } }, p1, {
      kind: 'verification',
    });
    expect(verification).toMatchObject({ status: 'sent' });
    expect(outboxTo('p1@example.com').map((e) => (e.source.kind === 'sendgrid' ? e.source.templateId : ''))).toEqual([
      'd-local-invite',
      'd-local-verify',
    ]);
    expect((await sdk.users.get(p1.user_id)).app_metadata).toMatchObject({ verification_email_sent: true });
  });
});

describe('resend to an email several users share: the username prompt', () => {
  let direct: DirectInvitation;
  let ids: Record<string, string>;
  beforeAll(async () => {
    direct = requireDirect();
    ids = {
      'pick-1': await createUser('shared-inbox', { email: 'pick@example.com', username: 'pick-1', app_metadata: { invite: true } }),
      'pick-2': await createUser('shared-inbox', { email: 'pick@example.com', username: 'pick-2', app_metadata: { invite: true } }),
    };
  });

  /** The prompt as the command runs it (readline on a terminal's streams), fed `typed`; what it printed and asked is kept. */
  function typing(typed: string | undefined): Chooser & { printed: string[]; asked: () => string } {
    const input = new PassThrough();
    const output = new PassThrough();
    let asked = '';
    output.on('data', (chunk: Buffer) => (asked += chunk.toString()));
    const printed: string[] = [];
    return {
      printed,
      asked: () => asked,
      print: (text) => printed.push(text),
      ask: (question) => {
        const answer = ask(question, { input, output });
        if (typed !== undefined) input.write(typed);
        input.end();
        return answer;
      },
    };
  }

  it('lists the accounts by username and user id (no address), asks, and the email goes to the chosen account only', async () => {
    const chooser = typing('pick-2\n');
    const user = await findOneUserAsking(management, { email: 'pick@example.com' }, chooser);
    expect(user.user_id).toBe(ids['pick-2']);
    expect(chooser.printed).toHaveLength(1);
    expect(chooser.printed[0]).toMatch(/^2 users share that email; give the username \(--username <name>\):\n/);
    expect(chooser.printed[0]).toContain(`pick-1  ${ids['pick-1']}  connection=shared-inbox`);
    expect(chooser.printed[0]).toContain(`pick-2  ${ids['pick-2']}  connection=shared-inbox`);
    expect(chooser.printed[0]).not.toContain('@');
    expect(chooser.asked()).toBe('Username of the account to send to: ');

    const outcome = await resendToUser(management, { invitation: direct }, user, { kind: 'invitation' });
    expect(outcome).toMatchObject({ status: 'sent', userId: ids['pick-2'], username: 'pick-2' });
    const sent = outboxTo('pick@example.com');
    expect(sent).toHaveLength(1);
    expect(dataOf(sent[0])).toMatchObject({ username: 'pick-2' });
  });

  it('a username not among them: a clear error, exit 1, nothing sent', async () => {
    const before = tenant.store.outbox.size;
    const chooser = typing('pick-3\n');
    const error: unknown = await findOneUserAsking(management, { email: 'pick@example.com' }, chooser).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserLookupError);
    expect(failureOf('resend', error)).toEqual({ code: 1, message: 'None of these accounts has username "pick-3".' });
    expect(tenant.store.outbox.size).toBe(before);
  });

  it('no answer (an empty line, or the input closed as by Ctrl-D): exit 2 asking for --username, instead of waiting', async () => {
    for (const typed of ['\n', undefined]) {
      const error: unknown = await findOneUserAsking(management, { email: 'pick@example.com' }, typing(typed)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserLookupError);
      expect(failureOf('resend', error)).toEqual({ code: 2, message: 'Run again with --username <name>.' });
    }
  });

  it('the command without a terminal (CI, stdin a pipe left open): lists the accounts and exits 2 asking for --username', async () => {
    const before = tenant.store.outbox.size;
    const { child, done } = runScript('resend', ['--email', 'pick@example.com']);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // a wait for an answer would end as a null code
    const { code, stdout, stderr } = await done;
    clearTimeout(timer);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      '2 users share that email; give the username (--username <name>):\n' +
        `  pick-1  ${ids['pick-1']}  connection=shared-inbox\n` +
        `  pick-2  ${ids['pick-2']}  connection=shared-inbox\n` +
        'Run again with --username <name>.\n',
    );
    expect(tenant.store.outbox.size).toBe(before);
  });
});

describe('usage errors of the commands: exit 2, the cause named, no request to the tenant', () => {
  const SCRIPTS = ['invite', 'resend', 'set-secondary-email', 'reset-password'];

  /**
   * In this process, through the shell every entry point runs (test/support/command-runs.ts), with
   * the environment runScript gives a child (the CA through LOCAL_TENANT_CA_CERT: NODE_EXTRA_CA_CERTS
   * counts only when a process starts). Each command's entry point as a child process is checked
   * by test/properties/script-arguments.test.ts and by the cases above and below.
   */
  async function usageError(name: string, args: string[], env: Record<string, string | undefined> = {}) {
    const before = tenant.requestLog.list().length;
    const outbox = tenant.store.outbox.size;
    const environment = Object.fromEntries(
      Object.entries({
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...scriptEnv(),
        LOCAL_TENANT_CA_CERT: tenant.caCertPath,
        ...env,
      }).filter(([, value]) => value !== undefined),
    );
    const result = await runInProcess(name, args, { cwd: work, env: environment });
    expect(tenant.requestLog.list().slice(before)).toEqual([]);
    expect(tenant.store.outbox.size).toBe(outbox);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // a message, not a stack trace
    return result;
  }

  it.each(SCRIPTS)('%s: an unknown option', async (name) => {
    const { code, stderr } = await usageError(name, ['--no-such-flag', 'x']);
    expect(code).toBe(2);
    expect(stderr).toBe("error: unknown option '--no-such-flag'\n(add --help for usage)\n");
  });

  it('a misspelt option: commander suggests the right one', async () => {
    const { code, stderr } = await usageError('reset-password', ['--usrname', 'kid-a']);
    expect(code).toBe(2);
    expect(stderr).toBe("error: unknown option '--usrname'\n(Did you mean --username?)\n(add --help for usage)\n");
  });

  it.each(SCRIPTS)('%s: an unknown environment, from --env or ADMIN_ENV', async (name) => {
    const message =
      'Unknown environment "nosuch" (--env or ADMIN_ENV): there is no environments/nosuch.json. Known: dev, local, prod, staging.\n';
    const args =
      name === 'set-secondary-email'
        ? ['--username', 'kid-a', '--remove']
        : name === 'invite'
          ? ['--email', 'env@example.com', '--connection', 'members']
          : ['--username', 'kid-a'];
    const flag = await usageError(name, ['--env', 'nosuch', ...args]);
    expect(flag).toMatchObject({ code: 2, stderr: message });
    const variable = await usageError(name, args, { ADMIN_ENV: 'nosuch' });
    expect(variable).toMatchObject({ code: 2, stderr: message });
  });

  it('a bad value: a non-numeric --rate, a --concurrency of zero', async () => {
    const rate = await usageError('resend', ['--username', 'kid-a', '--rate', 'fast']);
    expect(rate).toMatchObject({
      code: 2,
      stderr: "error: option '--rate <per-second>' argument 'fast' is invalid. must be a positive number\n(add --help for usage)\n",
    });
    const concurrency = await usageError('invite', ['--email', 'c@example.com', '--connection', 'members', '--concurrency', '0']);
    expect(concurrency).toMatchObject({
      code: 2,
      stderr: "error: option '--concurrency <requests>' argument '0' is invalid. must be a positive integer\n(add --help for usage)\n",
    });
  });

  it('an option without its value, extra arguments, and no user at all (the usage)', async () => {
    expect(await usageError('reset-password', ['--username'])).toMatchObject({
      code: 2,
      stderr: "error: option '--username <name>' argument missing\n(add --help for usage)\n",
    });
    expect(await usageError('resend', ['kid-a'])).toMatchObject({
      code: 2,
      stderr: 'error: too many arguments. Expected 0 arguments but got 1.\n(add --help for usage)\n',
    });
    const none = await usageError('resend', []);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: npm run resend -- \[options\]/);
  });

  it('missing configuration: every missing setting named', async () => {
    const { code, stderr } = await usageError('reset-password', ['--env', 'dev', '--username', 'kid-a']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Missing configuration for environment "dev" \(environments\/dev\.json, the process environment or \.env\):\n/);
    expect(stderr).toContain('  - PASSWORD_RESET_TEMPLATE_ID (environment variable PASSWORD_RESET_TEMPLATE_ID)\n');
  });

  it('set-secondary-email: a bad address is refused before the user is looked up', async () => {
    const id = await createUser('shared-inbox', { email: 'checked@example.com', username: 'checked-kid' });
    const { code, stderr } = await usageError('set-secondary-email', ['--username', 'checked-kid', '--secondary-email', 'parent@@example']);
    expect(code).toBe(2);
    expect(stderr).toBe('--secondary-email: The secondary email is not a valid address. Nothing was looked up or changed.\n');
    expect((await sdk.users.get(id)).app_metadata ?? {}).toEqual({});
    // With a good address the same command reaches the tenant (the request log sees the scripts' requests).
    const before = tenant.requestLog.list().length;
    const good = await runScript('set-secondary-email', ['--username', 'checked-kid', '--secondary-email', 'parent@example.org']).done;
    expect(good.code).toBe(0);
    expect(
      tenant.requestLog
        .list()
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual(['POST /oauth/token', 'GET /api/v2/users', `GET /api/v2/users/${id}`, `PATCH /api/v2/users/${id}`]);
  });
});

describe('direct invitations (no Action on the tenant)', () => {
  it('--direct invites from the script; --resend invites existing users again, and only them', async () => {
    const csv = join(work, 'direct.csv');
    writeFileSync(
      csv,
      'email,username,connection\nd1@example.com,,members\nd2@example.com,,members\nhome@example.com,d-kid,shared-inbox\n',
    );
    const first = await runBulkInvite({ csvPath: csv, management, mode: 'direct', direct: requireDirect(), stateDir: join(work, 'd1') });
    expect(first).toMatchObject({ created: 3, invited: 3, failed: 0 });
    for (const email of ['d1@example.com', 'd2@example.com', 'home@example.com']) expect(outboxTo(email)).toHaveLength(1);

    const again = await runBulkInvite({ csvPath: csv, management, mode: 'direct', direct: requireDirect(), stateDir: join(work, 'd2') });
    expect(again).toMatchObject({ created: 0, existing: 3, invited: 0 });
    const resent = await runBulkInvite({
      csvPath: csv,
      management,
      mode: 'direct',
      direct: requireDirect(),
      resend: true,
      stateDir: join(work, 'd3'),
    });
    expect(resent).toMatchObject({ created: 0, resent: 3, invited: 3, failed: 0 });
    for (const email of ['d1@example.com', 'd2@example.com', 'home@example.com']) expect(outboxTo(email)).toHaveLength(2);
  });

  it('the invite command killed in the middle, then run again: each user invited exactly once', async () => {
    const emails = Array.from({ length: 30 }, (_, i) => `killed${i}@example.com`);
    const csv = join(work, 'killed.csv');
    writeFileSync(csv, ['email,connection', ...emails.map((e) => `${e},members`)].join('\n') + '\n');
    tenant.faults.setRateLimitTier({ burst: 2, perSecond: 20 });
    const args = ['--csv', csv, '--direct', '--state-dir', join(work, 'killed-state'), '--progress', 'lines'];
    const first = runScript('invite', args);
    const created = () => tenant.store.data.users.filter((u) => u.email?.startsWith('killed')).length;
    const invited = () => emails.filter((e) => outboxTo(e).length > 0).length;
    while (invited() < 6) await new Promise((r) => setTimeout(r, 10));
    // From now on SendGrid never answers, so the kill cannot land between SendGrid accepting an
    // invitation and the journal recording it (the one window in which a resumed run sends twice).
    tenant.faults.add({ route: 'POST /sendgrid/v3/mail/send', kind: 'hang', times: 1000, hangMs: 60_000 });
    // Rows go on being created until every row in flight waits on SendGrid.
    await new Promise((r) => setTimeout(r, 800));
    first.child.kill('SIGKILL');
    expect((await first.done).code).toBeNull();
    tenant.faults.clear();
    const invitedBeforeKill = invited();
    expect(created()).toBeGreaterThan(invitedBeforeKill);
    expect(created()).toBeLessThan(30);

    const second = await runScript('invite', args).done;
    tenant.faults.setRateLimitTier(undefined);
    expect(second.stderr).not.toMatch(/line \d+: failed/);
    expect(second.code).toBe(0);
    const counts = /created (\d+), invited (\d+), skipped \d+ \(existing 0, done earlier (\d+)\), failed 0/.exec(second.stdout);
    expect(counts).not.toBeNull();
    const [, createdNow, invitedNow, doneEarlier] = counts!.map(Number);
    expect(doneEarlier).toBe(invitedBeforeKill);
    expect(doneEarlier! + invitedNow!).toBe(30);
    expect(createdNow).toBeLessThanOrEqual(invitedNow!);
    expect(created()).toBe(30);
    for (const email of emails) expect(outboxTo(email)).toHaveLength(1);
  });
});

function requireDirect(): DirectInvitation {
  const { ticket, mail } = requireSettings(config, { ticket: config.invite.ticket, mail: config.mail });
  return { ticket, mail, templates: config.invite.templates };
}
