/**
 * Two applications, two sets of emails: the built bundle and dist/tenant installed into the local
 * tenant (no deploy-cli run: test/support/installed-stack.ts), users signing up and logging in to
 * each application over HTTP. A user of Partner Portal gets the SendGrid templates its
 * client_metadata names and lands on its login route; a user of Email Flows App gets the default
 * ones. Auth0's own reset_email (Liquid) is worded per application too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_APP, LOCAL_CLIENTS, LOCAL_PARTNER_APP } from '../../local-tenant/local-stack';
import type { OutboxEmail } from '../../local-tenant/mail';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';
import { runInProcess } from '../support/command-runs';
import { linksOf } from '../support/local-stack-client';

jest.setTimeout(60_000);

const PASSWORD = 'Per-application-9';
let stack: InstalledStack;

beforeAll(async () => {
  stack = await startInstalledStack();
});
afterAll(async () => stack?.stop());

const templateIds = (emails: OutboxEmail[]) => emails.map((m) => (m.source.kind === 'sendgrid' ? m.source.templateId : m.source.template));

/** Signs up through one application, logs in to it, follows the verification link, logs in again. */
async function signUpVerifyAndLogIn(clientId: string, email: string): Promise<{ emails: OutboxEmail[]; landing: URL }> {
  const signup = await fetch(`${stack.client.httpUrl}/dbconnections/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: clientId, connection: 'members', email, password: PASSWORD }),
  });
  expect(signup.status).toBe(200);
  expect((await stack.client.login('members', email, PASSWORD, { client_id: clientId })).status).toBe(200);
  const [verification] = stack.emailsTo(email);
  const link = linksOf(verification!.html).find((href) => href.includes('/u/email-verification?ticket='))!;
  const verified = await fetch(link, { redirect: 'manual' });
  expect(verified.status).toBe(302);
  const login = await stack.client.login('members', email, PASSWORD, { client_id: clientId });
  expect(login.status).toBe(200);
  expect(login.body.email_verified).toBe(true);
  return { emails: stack.emailsTo(email), landing: new URL(verified.headers.get('location')!) };
}

test('a Partner Portal user gets its verification and then its welcome email, and lands on its login route', async () => {
  const { emails, landing } = await signUpVerifyAndLogIn(LOCAL_PARTNER_APP.client_id, 'partner@example.com');
  expect(templateIds(emails)).toEqual(['d-local-partner-verify', 'd-local-partner-welcome']);
  expect(emails.map((m) => m.sender)).toEqual(['verify-and-welcome', 'verify-and-welcome']);
  expect(emails[0]?.subject).toBe('Confirm your Partner Portal partner address (account partner@example.com)');
  expect(emails[1]?.subject).toBe('Welcome aboard, Partner Portal partner partner@example.com');
  expect(emails[1]?.html).toContain('partner tools');
  expect(landing.searchParams.get('client_id')).toBe(LOCAL_PARTNER_APP.client_id);
});

test('an Email Flows App user gets the default verification and welcome emails', async () => {
  const { emails, landing } = await signUpVerifyAndLogIn(LOCAL_APP.client_id, 'member@example.com');
  expect(templateIds(emails)).toEqual(['d-local-verify', 'd-local-welcome']);
  expect(emails[1]?.subject).toBe('Welcome to Email Flows App, member@example.com');
  expect(emails[1]?.html).not.toContain('partner tools');
  expect(landing.searchParams.get('client_id')).toBe(LOCAL_APP.client_id);
});

test("Auth0's reset_email (Liquid) is worded for the application it is sent for", async () => {
  const email = 'both@example.com';
  await stack.client.management.users.create({ connection: 'members', email, password: PASSWORD, app_metadata: { invite: false } });
  for (const clientId of [LOCAL_PARTNER_APP.client_id, LOCAL_APP.client_id]) {
    const response = await fetch(`${stack.client.httpUrl}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, email, connection: 'members' }),
    });
    expect(response.status).toBe(200);
  }
  const [partner, member] = stack.emailsTo(email);
  expect(partner?.source).toMatchObject({ kind: 'auth0', template: 'reset_email' });
  expect(partner?.html).toContain('Partner area · Partner Portal');
  expect(member?.source).toMatchObject({ kind: 'auth0', template: 'reset_email' });
  expect(member?.html).not.toContain('Partner area');
});

test('`npm run invite -- --application <client_id>`: the Action invites for that application, whose login route the link leads to', async () => {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AUTH0_DOMAIN: stack.tenant.domain,
    LOCAL_TENANT_CA_CERT: stack.tenant.caCertPath,
    ADMIN_CLIENT_ID: LOCAL_CLIENTS.admin.client_id,
    ADMIN_CLIENT_SECRET: LOCAL_CLIENTS.admin.client_secret,
  };
  const args = ['--env', 'local', '--email', 'invitee@example.com', '--username', 'invitee', '--connection', 'shared-inbox'];
  const work = mkdtempSync(join(tmpdir(), 'per-application-'));
  const refused = await runInProcess('invite', [...args, '--application', 'Partner Portal'], { cwd: work, env });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--application takes a client id');

  const run = await runInProcess('invite', [...args, '--application', LOCAL_PARTNER_APP.client_id, '--progress', 'none'], {
    cwd: work,
    env,
  });
  expect(run.code).toBe(0);
  await stack.client.registrationsDone();
  const user = stack.tenant.store.data.users.find((u) => u.username === 'invitee');
  expect(user?.app_metadata).toMatchObject({ invite: true, app: LOCAL_PARTNER_APP.client_id });
  const [invitation] = stack.emailsTo('invitee@example.com');
  // PARTNER_INVITE_TEMPLATE_ID is empty locally: the default invitation template, with the application's name.
  expect(invitation?.source).toMatchObject({
    kind: 'sendgrid',
    templateId: 'd-local-invite',
    dynamicTemplateData: { app_name: 'Partner Portal' },
  });
  const link = linksOf(invitation!.html).find((href) => href.includes('/lo/reset?ticket='))!;
  const submitted = await stack.client.setPassword(link, PASSWORD);
  expect(submitted.status).toBe(302);
  expect(new URL(submitted.headers.get('location')!).searchParams.get('client_id')).toBe(LOCAL_PARTNER_APP.client_id);
});
