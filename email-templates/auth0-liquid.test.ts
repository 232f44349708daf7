// One Auth0 Liquid for the three places that render Auth0's email templates: a tag or filter
// Auth0 does not support (docs-v2 customize/email/email-templates/supported-liquid-syntax) fails
// the same way in the local tenant, the deploy's check and the email previews.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderEmailPreviews } from '../build/email-previews';
import { validateEmailTemplates } from '../deploy/template-validation';
import { renderTemplateEmail } from '../local-tenant/authentication-api/template-emails';
import { useSeededTestTenant } from '../local-tenant/test/helpers';
import { AUTH0_LIQUID_FILTERS, AUTH0_LIQUID_TAGS, Auth0TemplateError, auth0Liquid, renderAuth0Template } from './engines';

const TENANT = join(__dirname, '..', 'tenant');
const KEYWORDS = { RESET_RESULT_URL: 'https://app.example.com/after-reset', APP_VERIFY_RESULT_URL: 'https://app.example.com/verified' };

/** Markup LiquidJS knows and Auth0 does not, and the cause each place must name. */
const UNSUPPORTED = [
  {
    what: 'the echo tag',
    markup: "{% echo 'hello' %}",
    cause: /^tag "echo" not found, line:\d+, col:1 \(not among the tags Auth0 supports in email templates\)$/,
  },
  {
    what: 'the json filter',
    markup: '{{ user.app_metadata | json }}',
    cause: /^undefined filter: json, line:\d+, col:1 \(not among the filters Auth0 supports in email templates\)$/,
  },
];

const local = useSeededTestTenant();

test("the engine has exactly Auth0's tags and filters", () => {
  const engine = auth0Liquid();
  expect(Object.keys(engine.tags).sort()).toEqual([...AUTH0_LIQUID_TAGS].sort());
  expect(Object.keys(engine.filters).sort()).toEqual([...AUTH0_LIQUID_FILTERS].sort());
});

test('an undefined variable renders empty at send time, and is refused by the strict engine', async () => {
  const sources = { from: '', subject: 'Hi', body: '<p>{{ user.nickname }}</p>' };
  expect((await renderAuth0Template(sources, { user: {} })).html).toBe('<p></p>');
  await expect(renderAuth0Template(sources, { user: {} }, auth0Liquid({ undefinedVariables: 'error' }))).rejects.toThrow(
    /undefined variable: user\.nickname/,
  );
});

test.each(UNSUPPORTED)('$what fails the same way in the deploy, the previews and the local tenant', async ({ markup, cause }) => {
  const dir = mkdtempSync(join(tmpdir(), 'auth0-liquid-'));
  try {
    cpSync(join(TENANT, 'emails'), join(dir, 'emails'), { recursive: true });
    const bodyFile = join(dir, 'emails', 'reset_email.html');
    const body = readFileSync(bodyFile, 'utf8').replace('<body', `${markup}<body`);
    writeFileSync(bodyFile, body);

    // The deploy: one problem naming the template, its files and the cause.
    const { problems } = await validateEmailTemplates(dir, KEYWORDS);
    const prefix = 'Email template reset_email (emails/reset_email.json, emails/reset_email.html): ';
    expect(problems).toEqual([expect.stringMatching(/ \[sample .*\]\.$/)]);
    expect(problems[0]!.startsWith(prefix)).toBe(true);
    const deployCause = problems[0]!.slice(prefix.length).replace(/ \[sample .*\]\.$/, '');

    // The previews: the build stops on it.
    const previewError = await renderEmailPreviews({ tenantDir: dir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(previewError).toBeInstanceOf(Auth0TemplateError);

    // The local tenant: the template is accepted through the Management API (as Auth0 does), the
    // rendering refuses it, and change_password sends nothing.
    const { tenant, mgmt, appClientId } = local;
    await mgmt.emailTemplates.update('reset_email', { body, syntax: 'liquid', enabled: true });
    const email = `liquid-${cause.source.length}@example.com`;
    const created = await mgmt.users.create({ connection: 'members', email, password: 'Initial0!' });
    const user = tenant.store.findUser(created.user_id as string);
    if (user === undefined) throw new Error('the user was not stored');
    const tenantError = await renderTemplateEmail({ store: tenant.store }, { template: 'reset_email', user }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(tenantError).toBeInstanceOf(Auth0TemplateError);
    // Over HTTP the same error ends the request (its name logged, never its text: it may hold user data).
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await fetch(`${tenant.httpUrl}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: appClientId, connection: 'members', email }),
    });
    const calls = logged.mock.calls.map((args) => String(args[0]));
    logged.mockRestore();
    expect(res.status).toBe(500);
    expect(calls).toEqual(['[local-tenant] POST /dbconnections/change_password failed: Auth0TemplateError']);
    expect(tenant.store.outbox.list({ to: email })).toEqual([]);

    // One cause, word for word, in all three.
    expect(deployCause).toMatch(cause);
    expect((previewError as Error).message).toBe(deployCause);
    expect((tenantError as Error).message).toBe(deployCause);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the invitation worded by reset_email names who invited, escaped, and says what to do once the link expired', async () => {
  const body = readFileSync(join(TENANT, 'emails', 'reset_email.html'), 'utf8');
  const sources = { from: '', subject: 'Invitation', body };
  const context = (appMetadata: Record<string, unknown>) => ({
    url: 'https://tenant.example/lo/reset?ticket=x#',
    user: { email: 'ada@example.com', app_metadata: appMetadata, user_metadata: {} },
    application: { name: 'Email Flows' },
    friendly_name: 'Email Flows',
  });
  const named = (await renderAuth0Template(sources, context({ invite: true, invitation: { by: '<b>Grace</b>' } }))).html;
  expect(named).toContain('&lt;b&gt;Grace&lt;/b&gt; has created an account for you');
  expect(named).toContain('If it has expired, ask &lt;b&gt;Grace&lt;/b&gt; for a new invitation');
  const anonymous = (await renderAuth0Template(sources, context({ invite: true }))).html;
  expect(anonymous).toContain('An account has been created for you');
  expect(anonymous).toContain('If it has expired, ask the person who invited you for a new invitation');
  const reset = (await renderAuth0Template(sources, context({}))).html;
  expect(reset).not.toContain('If it has expired');
});
