/**
 * End to end with Auth0's custom email provider: the bundle built with `--email-provider custom`
 * (provider `name: "custom"`, the custom-email-provider Action bound), deployed into the local
 * tenant by the real auth0-deploy-cli. Every Auth0 email then reaches the outbox through the
 * Action's SendGrid call; the password reset of a shared-inbox account goes to its verified
 * secondary address.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTenantBundle } from '../../build/tenant-bundle';
import { runDeployCli } from '../../deploy/deploy-cli';
import { LOCAL_APP, LOCAL_CLIENTS, localKeywords, startLocalStack, type LocalStack } from '../../local-tenant/local-stack';
import type { OutboxEmail } from '../../local-tenant/mail';
import { deployWhenBuilt, TEST_TIMINGS } from '../../local-tenant/test/helpers';
import { LocalStackClient, linksOf } from '../support/local-stack-client';

// auth0-deploy-cli compiles its 8 MB schema on every import (~27 s of CPU, docs/testing-speed.md): on two busy cores an import may take minutes.
jest.setTimeout(300_000);

let stack: LocalStack;
let client: LocalStackClient;
let outDir: string;
const PASSWORD = 'correct-horse-battery-9';
const SHARED = 'household@example.com';
const users: Record<'carl' | 'dana', string> = { carl: '', dana: '' };

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'tenant-custom-email-'));
  const bundle = await buildTenantBundle(undefined, { outDir, emailProvider: 'custom' });
  expect(bundle.emailProvider).toBe('custom');
  stack = await startLocalStack({ port: 0, tenantDir: outDir, emailRetryDelaysMs: [20], timings: { ...TEST_TIMINGS, actionBuildMs: 50 } });
  // The real deploy-cli, with a JSON EMAIL_ROUTES (an @@ keyword: deploy-cli writes it as a JSON string).
  const deployed = await runDeployCli({
    inputDir: outDir,
    domain: stack.tenant.domain,
    clientId: LOCAL_CLIENTS.deploy.client_id,
    clientSecret: LOCAL_CLIENTS.deploy.client_secret,
    keywords: { ...localKeywords(stack.tenant), EMAIL_ROUTES: '{"reset_email":{"categories":["password-reset","{message_type}"]}}' },
    caCertPath: stack.tenant.caCertPath,
  });
  if (deployed.exitCode !== 0) throw new Error(`a0deploy import failed:\n${deployed.output.slice(-3000)}`);
  client = new LocalStackClient(stack);
});

afterAll(async () => {
  await stack?.stop();
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

/** Asks for a password reset on the hosted page, by username, as a user of shared-inbox does. */
async function forgotPassword(username: string): Promise<void> {
  const response = await fetch(`${client.httpUrl}/u/reset-password/request/shared-inbox?client_id=${LOCAL_APP.client_id}`, {
    method: 'POST',
    body: new URLSearchParams({ username }),
  });
  expect(response.status).toBe(200);
}

const resets = (emails: OutboxEmail[]) => emails.filter((e) => e.subject === 'Reset your Email Flows (local) password');
const notifications = () =>
  stack.tenant.store.data.action_executions.filter((e) => e.trigger_id === 'custom-email-provider').map((e) => e.notification);

async function fault(kind: string, times: number): Promise<void> {
  const response = await fetch(`${client.httpUrl}/__local/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: 'POST /v3/mail/send', kind, times, retryAfter: 1 }),
  });
  expect(response.status).toBe(201);
}

describe('deployed by auth0-deploy-cli', () => {
  it('the email provider is "custom" and the custom-email-provider Action is its one binding', async () => {
    expect((await client.management.emails.provider.get()).name).toBe('custom');
    const bindings = await client.management.actions.triggers.bindings.list('custom-email-provider');
    expect(bindings.data.map((b) => b.action?.name)).toEqual(['custom-email-provider']);
    const secrets = stack.tenant.store.data.actions.find((a) => a.name === 'custom-email-provider')?.secrets;
    expect(secrets?.find((s) => s.name === 'EMAIL_ROUTES')?.value).toBe(
      '{"reset_email":{"categories":["password-reset","{message_type}"]}}',
    );
  });

  it('an invitation by change-password email goes through the Action; it is a reset_email, so it follows the reset route', async () => {
    await client.management.users.create({
      connection: 'members',
      email: 'erin@example.com',
      password: 'temporary-Password-123!',
      app_metadata: { invite: true },
    });
    await client.registrationsDone();
    const [invitation, ...others] = await client.outbox('erin@example.com');
    expect(others).toEqual([]);
    expect(invitation).toMatchObject({ subject: 'You are invited to Email Flows (local)', sender: 'custom-email-provider' });
    expect(invitation?.source).toEqual({ kind: 'sendgrid', messageId: expect.any(String) });
    expect(invitation?.categories).toEqual(['password-reset', 'reset_email']);

    // With a verified secondary address, Auth0's change-password email (here an invitation) goes there instead.
    await client.management.users.create({
      connection: 'members',
      email: 'finn@example.com',
      password: 'temporary-Password-123!',
      app_metadata: { invite: true, secondary_email: 'finn.private@example.org', secondary_email_verified: true },
    });
    await client.registrationsDone();
    expect(await client.outbox('finn@example.com')).toEqual([]);
    expect((await client.outbox('finn.private@example.org')).map((e) => e.subject)).toEqual(['You are invited to Email Flows (local)']);
  });
});

describe('password reset by username on the shared inbox', () => {
  beforeAll(async () => {
    for (const username of ['carl', 'dana'] as const) {
      const user = await client.management.users.create({
        connection: 'shared-inbox',
        email: SHARED,
        username,
        password: 'temporary-Password-123!',
      });
      users[username] = user.user_id!;
    }
    await client.management.users.update(users.carl, {
      app_metadata: { secondary_email: 'carl.private@example.org', secondary_email_verified: true },
    });
    await client.management.users.update(users.dana, {
      app_metadata: { secondary_email: 'dana.private@example.org', secondary_email_verified: 'true' },
    });
    await client.registrationsDone();
  });

  it('reaches the verified secondary address, names the username, and its link resets that account', async () => {
    await forgotPassword('carl');
    const [email, ...more] = await client.outbox('carl.private@example.org');
    expect(more).toEqual([]);
    expect(email).toMatchObject({
      sender: 'custom-email-provider',
      user_id: users.carl,
      from: 'no-reply@example.com',
      fromName: 'Email Flows',
    });
    expect(email?.subject).toBe('Reset your Email Flows (local) password');
    expect(email?.html).toContain('<strong>carl</strong>');
    expect(email?.text).toContain('carl');
    expect(email?.categories).toEqual(['password-reset', 'reset_email']);
    expect(resets(await client.outbox(SHARED))).toEqual([]);
    expect(notifications().at(-1)).toEqual({ message_type: 'reset_email', attempt: 1, outcome: 'accepted' });

    const link = linksOf(email!.html).find((href) => href.includes('/lo/reset?ticket='))!;
    const set = await client.setPassword(link, PASSWORD);
    expect([200, 302]).toContain(set.status);
    expect((await client.login('shared-inbox', 'carl', PASSWORD)).status).toBe(200);
  });

  it('an unverified secondary address is not used: the reset goes to the shared inbox', async () => {
    await forgotPassword('dana');
    expect(await client.outbox('dana.private@example.org')).toEqual([]);
    const [email, ...more] = resets(await client.outbox(SHARED));
    expect(more).toEqual([]);
    expect(email?.user_id).toBe(users.dana);
    expect(email?.html).toContain('<strong>dana</strong>');
    const logs = stack.tenant.store.data.action_executions.at(-1)?.results[0]?.logs;
    expect(logs).toEqual([`custom-email-provider user=${users.dana} sent type=reset_email to=primary secondary_unverified`]);
  });

  it('SendGrid 503 then recovered: Auth0 retries and exactly one email arrives', async () => {
    const before = (await client.outbox('carl.private@example.org')).length;
    const executions = notifications().length;
    await fault('503', 1);
    await forgotPassword('carl');
    expect(await client.outbox('carl.private@example.org')).toHaveLength(before + 1);
    expect(notifications().slice(executions)).toEqual([
      { message_type: 'reset_email', attempt: 1, outcome: 'retry', reason: 'sendgrid_http_503' },
      { message_type: 'reset_email', attempt: 2, outcome: 'accepted' },
    ]);
  });

  it('SendGrid 429 on every attempt: 1 + 5 retries, then Auth0 gives up; nothing is delivered', async () => {
    const before = (await client.outbox('carl.private@example.org')).length;
    const executions = notifications().length;
    await fault('429', 6);
    await forgotPassword('carl');
    expect(await client.outbox('carl.private@example.org')).toHaveLength(before);
    expect(
      notifications()
        .slice(executions)
        .map((n) => [n?.attempt, n?.outcome, n?.reason]),
    ).toEqual([1, 2, 3, 4, 5, 6].map((attempt) => [attempt, 'retry', 'sendgrid_http_429']));
  });

  it('a non-healing SendGrid 4xx (a revoked API key) is dropped after one attempt, with the user id and reason in the log', async () => {
    const action = stack.tenant.store.data.actions.find((a) => a.name === 'custom-email-provider')!;
    // Replace the key only; secrets sent without a value keep theirs.
    await client.management.actions.update(action.id, {
      secrets: [{ name: 'SENDGRID_API_KEY', value: 'SG.revoked-key' }, { name: 'MAIL_FROM' }, { name: 'EMAIL_ROUTES' }],
    });
    await deployWhenBuilt(client.management, action.id);
    const before = (await client.outbox('carl.private@example.org')).length;
    const executions = notifications().length;
    await forgotPassword('carl');
    expect(await client.outbox('carl.private@example.org')).toHaveLength(before);
    expect(notifications().slice(executions)).toEqual([
      { message_type: 'reset_email', attempt: 1, outcome: 'drop', reason: 'sendgrid_http_401' },
    ]);
    const logs = stack.tenant.store.data.action_executions.at(-1)?.results[0]?.logs ?? [];
    expect(logs).toEqual([`custom-email-provider user=${users.carl} dropped type=reset_email reason=sendgrid_http_401`]);
    expect(logs.join('\n')).not.toMatch(/@/);
  });
});
