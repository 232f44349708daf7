/**
 * End to end: the built bundle deployed into the local tenant with the real auth0-deploy-cli,
 * users created with the real `auth0` SDK over HTTPS, emails read from the outbox, links
 * followed over HTTP as a browser would.
 */
import { startLocalStack, type LocalStack } from '../../local-tenant/local-stack';
import { LocalStackClient, linksOf } from '../support/local-stack-client';
import { TEST_TIMINGS } from '../../local-tenant/test/helpers';

// auth0-deploy-cli compiles its 8 MB schema on every import (~27 s of CPU, docs/testing-speed.md): on two busy cores an import may take minutes.
jest.setTimeout(300_000);

let stack: LocalStack;
let client: LocalStackClient;
const PASSWORD = 'correct-horse-battery-9';

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, timings: TEST_TIMINGS });
  const deployed = await stack.deploy();
  if (deployed.exitCode !== 0) throw new Error(`a0deploy import failed:\n${deployed.output.slice(-3000)}`);
  client = new LocalStackClient(stack);
});

afterAll(async () => {
  await stack?.stop();
});

/** The application's login route (APP_LOGIN_URL, also RESET_RESULT_URL) in this run. */
const loginRoute = () => `${stack.tenant.httpUrl}/login?client_id=local-email-flows-app`;

function actionLogs(trigger: string): string[] {
  return stack.tenant.store.data.action_executions
    .filter((execution) => execution.trigger_id === trigger)
    .flatMap((execution) => execution.results.flatMap((result) => result.logs));
}

async function appMetadata(userId: string): Promise<Record<string, unknown>> {
  const user = await client.management.users.get(userId);
  return user.app_metadata ?? {};
}

describe('invitation through Auth0 change-password email (members connection)', () => {
  const email = 'grace@example.com';
  let userId: string;

  it('creating a user with app_metadata.invite sends exactly one invitation email', async () => {
    const user = await client.management.users.create({
      connection: 'members',
      email,
      password: 'temporary-Password-123!',
      app_metadata: { invite: true },
      user_metadata: { locale: 'en' },
    });
    userId = user.user_id!;
    await client.registrationsDone();
    const emails = await client.outbox(email);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.source).toMatchObject({ kind: 'auth0', template: 'reset_email' });
    expect(emails[0]?.subject).toBe('You are invited to Email Flows (local)');
    expect(emails[0]?.html).toContain('An account has been created for you');
  });

  it('the link sets the password and verifies the email; the first login sends one welcome email', async () => {
    const [invitation] = await client.outbox(email);
    const link = linksOf(invitation!.html).find((href) => href.includes('/lo/reset?ticket='));
    expect(link).toBeDefined();
    const submitted = await client.setPassword(link!, PASSWORD);
    // The password-reset-landing Action (password-reset-post-challenge) sends the invitee to the
    // application (RESET_RESULT_URL, its login route here) marked as an invitation; no template
    // resultUrl was deployed.
    expect(submitted.status).toBe(302);
    expect(submitted.headers.get('location')).toBe(`${loginRoute()}&type=invite`);
    expect(stack.tenant.store.data.email_templates.find((t) => t.template === 'reset_email')?.resultUrl).toBe('');
    expect(actionLogs('password-reset-post-challenge')).toContain(`password-reset-landing user=${userId} landing_set invite`);
    expect((await client.management.users.get(userId)).email_verified).toBe(true);

    const login = await client.login('members', email, PASSWORD, { client_id: 'local-email-flows-app' });
    expect(login.status).toBe(200);
    const emails = await client.outbox(email);
    expect(emails).toHaveLength(2);
    expect(emails[1]?.source).toMatchObject({ kind: 'sendgrid', templateId: 'd-local-welcome' });
    expect(emails[1]?.sender).toBe('verify-and-welcome');
    const metadata = await appMetadata(userId);
    expect(metadata.welcome_email_sent).toBe(true);
    expect(metadata.invite).toBeUndefined();
  });

  it('later logins send nothing more', async () => {
    // Both logins succeed (a refused login would send nothing either), and send nothing.
    expect((await client.login('members', email, PASSWORD)).status).toBe(200);
    expect((await client.login('members', email, PASSWORD)).status).toBe(200);
    expect(await client.outbox(email)).toHaveLength(2);
  });
});

describe('invitation by ticket on the connection with non-unique emails (shared-inbox)', () => {
  const sharedEmail = 'family@example.com';

  it('two accounts sharing one address each get their own invitation naming their username', async () => {
    const first = await client.management.users.create({
      connection: 'shared-inbox',
      email: sharedEmail,
      username: 'alice',
      password: 'temporary-Password-123!',
    });
    const second = await client.management.users.create({
      connection: 'shared-inbox',
      email: sharedEmail,
      username: 'bob',
      password: 'temporary-Password-123!',
    });
    expect(first.user_id).not.toBe(second.user_id);
    await client.registrationsDone();
    const emails = await client.outbox(sharedEmail);
    expect(emails).toHaveLength(2);
    // The two runs of post-user-registration are concurrent: the emails may come in either order.
    for (const username of ['alice', 'bob']) {
      const mail = emails.find((e) => e.source.kind === 'sendgrid' && e.source.dynamicTemplateData?.['username'] === username)!;
      expect(mail).toBeDefined();
      expect(mail.source).toMatchObject({ kind: 'sendgrid', templateId: 'd-local-invite' });
      expect(mail.sender).toBe('invite-on-registration');
      expect(mail.html).toContain(username);
      const link = linksOf(mail.html).find((href) => href.includes('/lo/reset?ticket='));
      expect(link).toMatch(/#type=invite&app=Email%20Flows$/);
    }
  });

  it("a ticket link sets that account's password, verifies it, and its login sends one welcome email", async () => {
    const emails = await client.outbox(sharedEmail);
    const bobs = emails.find((e) => e.source.kind === 'sendgrid' && e.source.dynamicTemplateData?.['username'] === 'bob')!;
    const link = linksOf(bobs.html).find((href) => href.includes('/lo/reset?ticket='))!;
    const submitted = await client.setPassword(link, PASSWORD);
    // A ticket made with client_id: the application's login route.
    expect(submitted.status).toBe(302);
    expect(submitted.headers.get('location')).toBe(loginRoute());
    const login = await client.login('shared-inbox', 'bob', PASSWORD, { client_id: 'local-email-flows-app' });
    expect(login.status).toBe(200);
    expect(login.body.email_verified).toBe(true);
    const after = await client.outbox(sharedEmail);
    expect(after).toHaveLength(3);
    expect(after[2]?.source).toMatchObject({ templateId: 'd-local-welcome' });
    expect(after[2]?.html).toContain('bob');
    expect((await client.login('shared-inbox', 'bob', PASSWORD)).status).toBe(200);
    expect(await client.outbox(sharedEmail)).toHaveLength(3);
  });

  it('Auth0 refuses /dbconnections/change_password on this connection', async () => {
    const response = await fetch(`${client.httpUrl}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'local-email-flows-app', email: sharedEmail, connection: 'shared-inbox' }),
    });
    expect(response.status).toBe(400);
  });
});

describe('self-signup with an unverified email', () => {
  const email = 'linus@example.com';

  it('sends exactly one verification email across several logins; its link verifies and redirects', async () => {
    const signup = await fetch(`${client.httpUrl}/dbconnections/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'fr-FR,fr;q=0.9' },
      body: JSON.stringify({ client_id: 'local-email-flows-app', connection: 'members', email, password: PASSWORD }),
    });
    expect(signup.status).toBe(200);
    expect(await client.outbox(email)).toHaveLength(0); // not invited: no flag, members is not an invitation connection

    for (let i = 0; i < 3; i++) {
      const login = await client.login('members', email, PASSWORD, { client_id: 'local-email-flows-app' });
      expect(login.status).toBe(200);
    }
    const emails = await client.outbox(email);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.source).toMatchObject({ kind: 'sendgrid', templateId: 'd-local-verify' });

    const link = linksOf(emails[0]!.html).find((href) => href.includes('/u/email-verification?ticket='))!;
    const verified = await fetch(link, { redirect: 'manual' });
    expect(verified.status).toBe(302);
    const target = new URL(verified.headers.get('location')!);
    expect(target.pathname).toBe('/login');
    expect(target.searchParams.get('success')).toBe('true');

    for (let i = 0; i < 2; i++) {
      const login = await client.login('members', email, PASSWORD, { client_id: 'local-email-flows-app' });
      expect(login.status).toBe(200);
      expect(login.body.email_verified).toBe(true);
    }
    const after = await client.outbox(email);
    expect(after.map((m) => (m.source.kind === 'sendgrid' ? m.source.templateId : m.source.template))).toEqual([
      'd-local-verify',
      'd-local-welcome',
    ]);
  });
});

describe('redeploy', () => {
  it('a second import of an unchanged dist/tenant leaves the deployed actions as they were, each in a new version', async () => {
    const versionsBefore = new Map(stack.tenant.store.data.actions.map((a) => [a.name, a.deployed_version_id]));
    const before = structuredClone({
      actions: stack.tenant.store.data.actions.map(({ name, code }) => ({ name, code })),
      bindings: stack.tenant.store.data.trigger_bindings.map(({ trigger_id, action_id }) => ({ trigger_id, action_id })),
      connections: stack.tenant.store.data.connections,
      templates: stack.tenant.store.data.email_templates,
    });
    const again = await stack.deploy();
    expect(again.exitCode).toBe(0);
    const after = {
      actions: stack.tenant.store.data.actions.map(({ name, code }) => ({ name, code })),
      bindings: stack.tenant.store.data.trigger_bindings.map(({ trigger_id, action_id }) => ({ trigger_id, action_id })),
      connections: stack.tenant.store.data.connections,
      templates: stack.tenant.store.data.email_templates,
    };
    expect(after).toEqual(before);
    // deploy-cli deploys every Action on each import, and each deploy is a version, as on a real tenant.
    for (const action of stack.tenant.store.data.actions) expect(action.deployed_version_id).not.toBe(versionsBefore.get(action.name));
  });
});
