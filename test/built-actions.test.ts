/**
 * The BUILT Actions (dist/tenant, written by `npm run build`, which `npm test` runs first),
 * loaded in a node:vm context the way Auth0 runs them, with Auth0 and SendGrid intercepted at
 * the HTTP layer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOM_EMAIL_BUDGET_MS } from '../actions/custom-email-provider';
import type { CustomEmailProviderHandler, PostLoginHandler, PostUserRegistrationHandler } from '../actions/shared/auth0-actions';
import { EMAIL_BUDGET_MS } from '../actions/shared/email-budget';
import { loadAction, type DeclaredDependency, type LoadedAction } from '../local-tenant/actions-runtime/load-action';
import { ActionCacheStore } from '../local-tenant/actions-runtime/action-cache';
import { KEPT_LOG_CHARS, keptLogs } from '../local-tenant/actions-runtime/trigger-runner';
import {
  fakeCustomEmailApi,
  fakeCustomEmailEvent,
  fakeNotifiedUser,
  fakePostLoginApi,
  fakePostLoginEvent,
  fakeRegistrationApi,
  fakeRegistrationEvent,
  fakeUser,
  fullSecrets,
} from './support/action-fakes';
import { Interceptor, type SendGridBody } from './support/intercept';

const distActions = join(__dirname, '..', 'dist', 'tenant', 'actions');
/**
 * How far past its budget a hung call may end: the time a loaded machine takes to run the timer's
 * callback (500 ms was exceeded in 2 of 6 runs at a load of ~9 on two cores). The hangs last 5-10 s
 * longer than the budget, so an Action that waited for one still fails.
 */
const SCHEDULING_SLACK_MS = 2_000;

interface DeployedActionConfig {
  name: string;
  code: string;
  runtime: string;
  dependencies: DeclaredDependency[];
  secrets: { name: string; value: string }[];
  supported_triggers: { id: string; version: string }[];
  deployed: boolean;
}

function readConfig(name: string): DeployedActionConfig {
  return JSON.parse(readFileSync(join(distActions, `${name}.json`), 'utf8')) as DeployedActionConfig;
}

function loadBuilt(name: string): LoadedAction {
  const config = readConfig(name);
  const code = readFileSync(join(distActions, '..', config.code), 'utf8');
  return loadAction(code, { filename: `${name}/code.js`, dependencies: config.dependencies, checkVersions: true });
}

let http: Interceptor;
beforeEach(() => (http = new Interceptor()));
afterEach(() => http.done());

describe('dist/tenant/actions/*.json', () => {
  it.each([
    ['invite-on-registration', 'post-user-registration', 'v2'],
    ['verify-and-welcome', 'post-login', 'v3'],
  ])('%s is in deploy-cli format with placeholders for every secret and pinned external dependencies', (name, trigger, version) => {
    const config = readConfig(name);
    const lock = JSON.parse(readFileSync(join(__dirname, '..', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    expect(config).toMatchObject({ name, code: `./actions/${name}/code.js`, runtime: 'node22', deployed: true });
    expect(config.supported_triggers).toEqual([{ id: trigger, version }]);
    expect(config.dependencies).toEqual([
      { name: 'auth0', version: lock.packages['node_modules/auth0']?.version },
      { name: '@sendgrid/mail', version: lock.packages['node_modules/@sendgrid/mail']?.version },
    ]);
    // JSON-valued secrets use @@ so that deploy-cli writes them as JSON strings.
    for (const secret of config.secrets)
      expect(secret.value).toBe(secret.name === 'TEMPLATE_IDS' ? '@@TEMPLATE_IDS@@' : `##${secret.name}##`);
    expect(config.secrets.map((s) => s.name)).toEqual(expect.arrayContaining(['AUTH0_DOMAIN', 'SENDGRID_API_KEY', 'MAIL_FROM']));
    const code = readFileSync(join(distActions, name, 'code.js'), 'utf8');
    expect(Buffer.byteLength(code)).toBeLessThan(15 * 1024);
    // The SDKs are required at run time, never inlined.
    expect(code).toMatch(/require\("auth0\/tickets"\)/);
    expect(code).toMatch(/require\("@sendgrid\/mail"\)/);
    expect(code).not.toMatch(/ManagementClient|class MailService/);
  });
});

describe('built password-reset-landing', () => {
  it('is a dependency-free post-challenge Action that sets the result URL from its one secret', async () => {
    const config = readConfig('password-reset-landing');
    expect(config.supported_triggers).toEqual([{ id: 'password-reset-post-challenge', version: 'v1' }]);
    expect(config.dependencies).toEqual([]);
    expect(config.secrets).toEqual([{ name: 'RESET_RESULT_URL', value: '##RESET_RESULT_URL##' }]);
    const action = loadBuilt('password-reset-landing');
    const calls: unknown[][] = [];
    const logs: string[] = [];
    const handler = action.exports.onExecutePostChallenge as (event: unknown, api: unknown) => Promise<void>;
    await action.captureLogs(logs, () =>
      handler(
        { user: fakeUser({ app_metadata: { invite: true } }), secrets: { RESET_RESULT_URL: 'https://app.example.com/login' } },
        { transaction: { setResultUrl: (...args: unknown[]) => calls.push(args) }, access: { deny: () => calls.push(['deny']) } },
      ),
    );
    expect(calls).toEqual([['https://app.example.com/login', { query: { type: 'invite' } }]]);
    expect(logs).toEqual(['password-reset-landing user=auth0|user-1 landing_set invite']);
    expect(Buffer.byteLength(readFileSync(join(distActions, 'password-reset-landing', 'code.js'), 'utf8'))).toBeLessThan(4 * 1024);
  });
});

describe('built verify-and-welcome', () => {
  const onExecutePostLogin = () => {
    const action = loadBuilt('verify-and-welcome');
    return { action, handler: action.exports.onExecutePostLogin as PostLoginHandler };
  };

  it('for an unverified user: one token request, one ticket, one SendGrid send with the ticket, two metadata calls', async () => {
    http.token().verificationTicket().sendgrid();
    const { action, handler } = onExecutePostLogin();
    const api = fakePostLoginApi();
    const logs: string[] = [];
    await action.captureLogs(logs, () => handler(fakePostLoginEvent(), api));

    expect(http.requests.map((r) => `${r.method} ${r.host}${r.path}`)).toEqual([
      'POST email-flows-test.eu.auth0.com/oauth/token',
      'POST email-flows-test.eu.auth0.com/api/v2/tickets/email-verification',
      'POST api.sendgrid.com/v3/mail/send',
    ]);
    expect(http.requests[0]?.body).toMatchObject({ grant_type: 'client_credentials', client_secret: 'm2m-client-secret' });
    expect(http.requests[1]?.headers.authorization).toBe('Bearer mgmt-token-1');
    expect(http.requests[2]?.headers.authorization).toBe('Bearer SG.test-key');
    const body = http.requests[2]?.body as SendGridBody;
    expect(body.personalizations[0]?.to).toEqual([{ email: 'ada@example.com' }]);
    expect(body.personalizations[0]?.dynamic_template_data.verify_url).toBe(
      'https://email-flows-test.eu.auth0.com/u/email-verification?ticket=evt-456#',
    );
    expect(api.appMetadataCalls.map(([key]) => key)).toEqual(['verification_email_sent', 'verification_email_sent_at']);
    expect(logs).toEqual(['verify-and-welcome user=auth0|user-1 verification_sent']);
    expect(action.required).toEqual(expect.arrayContaining(['auth0/tickets', '@sendgrid/mail']));
  });

  it('for a verified, welcomed user: no request and no require of auth0 or @sendgrid/mail', async () => {
    const { action, handler } = onExecutePostLogin();
    const api = fakePostLoginApi();
    const event = fakePostLoginEvent({ user: fakeUser({ email_verified: true, app_metadata: { welcome_email_sent: true } }) });
    for (let i = 0; i < 3; i++) await handler(event, api);
    expect(http.requests).toEqual([]);
    expect(action.required.filter((m) => m.startsWith('auth0') || m.startsWith('@sendgrid'))).toEqual([]);
    expect(api.appMetadataCalls).toEqual([]);
  });

  it('shares one token across executions through api.cache', async () => {
    http.token().sendgrid({ times: 3 });
    for (let i = 0; i < 3; i++) http.verificationTicket();
    const { handler } = onExecutePostLogin();
    const cache = new ActionCacheStore();
    // Three users (one user's second login within seconds would find the first one's claim and send nothing).
    for (let i = 0; i < 3; i++) {
      await handler(
        fakePostLoginEvent({ user: fakeUser({ user_id: `auth0|user-${i + 1}`, email_verified: false }) }),
        fakePostLoginApi(cache),
      );
    }
    expect(http.of('POST', '/oauth/token')).toHaveLength(1);
    expect(http.of('POST', '/api/v2/tickets/email-verification')).toHaveLength(3);
  });

  it.each([
    [
      'Management API 429',
      (h: Interceptor) => h.token().verificationTicket({ status: 429, body: { statusCode: 429, error: 'Too Many Requests' } }),
    ],
    ['SendGrid 503', (h: Interceptor) => h.token().verificationTicket().sendgrid({ status: 503 })],
    ['token 500', (h: Interceptor) => h.token({ status: 500, body: {} })],
  ])('after a %s: no flag, no deny', async (_name, arrange) => {
    arrange(http);
    const { handler } = onExecutePostLogin();
    const api = fakePostLoginApi();
    await handler(fakePostLoginEvent(), api);
    expect(api.appMetadataCalls).toEqual([]);
    expect(api.denied).toEqual([]);
  });

  it('a hanging SendGrid does not hold the login past the budget, and sets no flag', async () => {
    http.token().verificationTicket().sendgrid({ delayMs: 15_000 });
    const { action, handler } = onExecutePostLogin();
    const api = fakePostLoginApi();
    const logs: string[] = [];
    const started = Date.now();
    await action.captureLogs(logs, () => handler(fakePostLoginEvent(), api));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(EMAIL_BUDGET_MS + SCHEDULING_SLACK_MS);
    expect(api.appMetadataCalls).toEqual([]);
    expect(api.denied).toEqual([]);
    expect(logs).toEqual(['verify-and-welcome user=auth0|user-1 verification_failed sendgrid_timeout']);
  }, 20_000);

  it('a hanging Management API does not hold the login past the budget either', async () => {
    http.token().verificationTicket({ delayMs: 15_000 });
    const { action, handler } = onExecutePostLogin();
    const api = fakePostLoginApi();
    const logs: string[] = [];
    const started = Date.now();
    await action.captureLogs(logs, () => handler(fakePostLoginEvent(), api));
    expect(Date.now() - started).toBeLessThan(EMAIL_BUDGET_MS + SCHEDULING_SLACK_MS);
    expect(http.of('POST', '/v3/mail/send')).toEqual([]);
    expect(api.appMetadataCalls).toEqual([]);
    // The SDK's abort error carries no status; the spent budget makes it a time-out, not a network error.
    expect(logs).toEqual(['verify-and-welcome user=auth0|user-1 verification_failed ticket_timeout']);
  }, 20_000);
});

describe('built invite-on-registration', () => {
  const load = () => {
    const action = loadBuilt('invite-on-registration');
    return { action, handler: action.exports.onExecutePostUserRegistration as PostUserRegistrationHandler };
  };

  it('ticket mode: token, password-change ticket, SendGrid send with #type=invite', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const { handler } = load();
    await handler(fakeRegistrationEvent({ connection: { id: 'c2', name: 'shared-inbox', strategy: 'auth0' } }), fakeRegistrationApi());
    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /oauth/token',
      'POST /api/v2/tickets/password-change',
      'POST /v3/mail/send',
      // The record of the sent invitation, after the email.
      'PATCH /api/v2/users/auth0%7Cuser-1',
    ]);
    expect(http.requests[3]?.body).toEqual({
      app_metadata: { invitation_email_sent: true, invitation: { sent: expect.any(String), expires: expect.any(String), via: 'ticket' } },
    });
    expect(http.requests[1]?.body).toEqual({
      user_id: 'auth0|user-1',
      client_id: 'app-client-id',
      ttl_sec: 604800,
      mark_email_as_verified: true,
      includeEmailInRedirect: false,
    });
    const body = http.requests[2]?.body as SendGridBody;
    expect(body.template_id).toBe('d-invite');
    expect(body.personalizations[0]?.dynamic_template_data.ticket_url).toBe(
      'https://email-flows-test.eu.auth0.com/lo/reset?ticket=pct-123#type=invite&app=Example%20App',
    );
  });

  it('change_password mode with the flag already set: one Authentication API request, then the record', async () => {
    http.changePassword().token().userUpdate('auth0|user-1');
    const { action, handler } = load();
    await handler(fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: true } } }), fakeRegistrationApi());
    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /dbconnections/change_password',
      'POST /oauth/token',
      'PATCH /api/v2/users/auth0%7Cuser-1',
    ]);
    expect(http.requests[0]?.body).toEqual({ client_id: 'app-client-id', email: 'ada@example.com', connection: 'members' });
    // The email needs no SDK; the record loads the users sub-path of auth0 only, never SendGrid's.
    expect(action.required.filter((m) => m.startsWith('auth0') || m.startsWith('@sendgrid'))).toEqual(['auth0/users']);
  });
});

describe('built custom-email-provider', () => {
  const load = () => {
    const action = loadBuilt('custom-email-provider');
    return { action, handler: action.exports.onExecuteCustomEmailProvider as CustomEmailProviderHandler };
  };
  const verifiedSecondary = fakeNotifiedUser({ secondary_email: 'ada.private@example.org', secondary_email_verified: true });

  it('is in deploy-cli format: one trigger, @sendgrid/mail only, EMAIL_ROUTES as a JSON keyword, small', () => {
    const config = readConfig('custom-email-provider');
    const lock = JSON.parse(readFileSync(join(__dirname, '..', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    expect(config).toMatchObject({ name: 'custom-email-provider', code: './actions/custom-email-provider/code.js', runtime: 'node22' });
    expect(config.supported_triggers).toEqual([{ id: 'custom-email-provider', version: 'v1' }]);
    expect(config.dependencies).toEqual([{ name: '@sendgrid/mail', version: lock.packages['node_modules/@sendgrid/mail']?.version }]);
    expect(config.secrets).toEqual([
      { name: 'SENDGRID_API_KEY', value: '##SENDGRID_API_KEY##' },
      { name: 'MAIL_FROM', value: '##MAIL_FROM##' },
      { name: 'EMAIL_ROUTES', value: '@@EMAIL_ROUTES@@' },
    ]);
    const code = readFileSync(join(distActions, 'custom-email-provider', 'code.js'), 'utf8');
    expect(Buffer.byteLength(code)).toBeLessThan(15 * 1024);
    expect(code).toMatch(/require\("@sendgrid\/mail"\)/);
    expect(code).not.toMatch(/require\("auth0|class MailService/);
  });

  it('sends a reset email to the verified secondary address: one SendGrid request, no Management API', async () => {
    http.sendgrid();
    const { action, handler } = load();
    const api = fakeCustomEmailApi();
    const logs: string[] = [];
    await action.captureLogs(logs, () => handler(fakeCustomEmailEvent({ user: verifiedSecondary }), api));
    expect(http.requests.map((r) => `${r.method} ${r.host}${r.path}`)).toEqual(['POST api.sendgrid.com/v3/mail/send']);
    const body = http.requests[0]?.body as { personalizations: { to: { email: string }[] }[]; subject: string; content: unknown[] };
    expect(body.personalizations[0]?.to).toEqual([{ email: 'ada.private@example.org' }]);
    expect(body.subject).toBe('Reset your Example password');
    expect(body.content).toHaveLength(2);
    expect(api.calls).toEqual([]);
    expect(logs).toEqual(['custom-email-provider user=auth0|user-1 sent type=reset_email to=secondary']);
    expect(action.required).toEqual(['@sendgrid/mail']);
  });

  it.each([
    ['a 429', 429, 'retry'],
    ['a 503', 503, 'retry'],
    ['a 400', 400, 'drop'],
  ] as const)('after %s from SendGrid (%d): api.notification.%s', async (_name, status, disposition) => {
    http.sendgrid({ status, body: { errors: [] } });
    const { handler } = load();
    const api = fakeCustomEmailApi();
    await handler(fakeCustomEmailEvent({ user: verifiedSecondary }), api);
    expect(api.calls).toEqual([[disposition, `sendgrid_http_${status}`]]);
  });

  it('a hanging SendGrid is given up on at the budget, and retried by Auth0', async () => {
    http.sendgrid({ delayMs: CUSTOM_EMAIL_BUDGET_MS + 5_000 });
    const { action, handler } = load();
    const api = fakeCustomEmailApi();
    const logs: string[] = [];
    const started = Date.now();
    await action.captureLogs(logs, () => handler(fakeCustomEmailEvent(), api));
    expect(Date.now() - started).toBeLessThan(CUSTOM_EMAIL_BUDGET_MS + SCHEDULING_SLACK_MS);
    expect(api.calls).toEqual([['retry', 'sendgrid_timeout']]);
    expect(logs).toEqual(['custom-email-provider user=auth0|user-1 retry type=reset_email reason=sendgrid_timeout']);
  }, 30_000);
});

/**
 * Auth0 keeps 256 characters of console output per Action execution; the local tenant keeps the
 * first 256. In the longest realistic case (a database user id, every optional setting broken,
 * the longest outcome), each Action's whole output fits, so its outcome line (the last) is kept.
 */
describe('built Actions: the outcome line is within the 256 characters Auth0 keeps', () => {
  const userId = 'auth0|0123456789abcdef01234567';
  const broken = {
    TEMPLATE_IDS: '{"verify":',
    INVITE_TTL_SEC: 'soon',
    VERIFY_TTL_SEC: 'soon',
    INVITE_RESULT_URL: 'not a url',
    VERIFY_RESULT_URL: 'not a url',
    INVITE_CONNECTIONS: 'members:pigeon',
    INVITE_MODE: 'pigeon',
    EMAIL_ROUTES: '{',
  };
  const measured: Record<string, number[]> = {};
  afterAll(() => console.log(`longest realistic console output per execution (characters per line): ${JSON.stringify(measured)}`));

  function expectOutcomeKept(name: string, logs: string[], outcome: RegExp): void {
    measured[name] = logs.map((line) => line.length);
    expect(keptLogs(logs)).toEqual(logs);
    expect(logs.join('\n').length).toBeLessThanOrEqual(KEPT_LOG_CHARS);
    expect(logs.at(-1)).toMatch(outcome);
  }

  it('verify-and-welcome: every setting broken and every secret the path needs missing', async () => {
    const action = loadBuilt('verify-and-welcome');
    const secrets = fullSecrets({ ...broken, AUTH0_CLIENT_SECRET: '', VERIFY_TEMPLATE_ID: '', SENDGRID_API_KEY: '', MAIL_FROM: '' });
    const logs: string[] = [];
    await action.captureLogs(logs, () =>
      (action.exports.onExecutePostLogin as PostLoginHandler)(
        fakePostLoginEvent({ user: fakeUser({ user_id: userId }), secrets }),
        fakePostLoginApi(),
      ),
    );
    expectOutcomeKept(
      'verify-and-welcome',
      logs,
      new RegExp(`^verify-and-welcome user=auth0\\|\\w+ verification_skipped missing_secret=AUTH0_CLIENT_SECRET`),
    );
  });

  it('invite-on-registration: every setting broken, the invitation sent and not recorded', async () => {
    http.changePassword();
    const action = loadBuilt('invite-on-registration');
    const secrets = fullSecrets({ ...broken, INVITE_CONNECTIONS: '', AUTH0_CLIENT_SECRET: '' });
    const event = fakeRegistrationEvent({ userOverrides: { user_id: userId, app_metadata: { invite: true } }, secrets });
    const logs: string[] = [];
    await action.captureLogs(logs, () =>
      (action.exports.onExecutePostUserRegistration as PostUserRegistrationHandler)(event, fakeRegistrationApi()),
    );
    expectOutcomeKept('invite-on-registration', logs, / invited mode=change_password not_recorded=missing_secret=AUTH0_CLIENT_SECRET/);
  });

  it('custom-email-provider: every setting broken and SendGrid failing: each retry is an execution of its own, its line kept', async () => {
    const action = loadBuilt('custom-email-provider');
    const secrets = fullSecrets({ ...broken, SENDGRID_API_KEY: '', MAIL_FROM: '' });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const logs: string[] = [];
      const event = fakeCustomEmailEvent({ user: fakeNotifiedUser({}, { user_id: userId }), secrets });
      await action.captureLogs(logs, () =>
        (action.exports.onExecuteCustomEmailProvider as CustomEmailProviderHandler)(event, fakeCustomEmailApi()),
      );
      expectOutcomeKept('custom-email-provider', logs, / dropped type=reset_email reason=missing_secret=SENDGRID_API_KEY/);
    }
  });
});
