/**
 * `npm run deploy` end to end, against the local tenant over HTTPS with the real
 * auth0-deploy-cli: the deploy commands of the README and docs/ run word for word (the staging ones with
 * every variable of .env.example pointing at the local tenant), a deploy and a plan that finds
 * nothing to change, and a refusal for each rule, each with no writing request in the
 * tenant's request log. One tenant for the whole file: each deploy-cli run takes 15-30 s.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTenantBundle } from '../../build/tenant-bundle';
import { deploy, DeployFailed, DeployRefused } from '../../deploy/deploy';
import type { LoggedRequest } from '../../local-tenant/faults/request-log';
import { LOCAL_APP, LOCAL_CLIENTS, LOCAL_SENDGRID_KEY, startLocalStack, type LocalStack } from '../../local-tenant/local-stack';
import { endpointOf } from '../conformance/used-endpoints';
import { endpointScopes } from '../../local-tenant/management-api/scopes';
import { APPLICATION_CALLS } from '../../deploy/application-scopes';
import { TEST_TIMINGS } from '../../local-tenant/test/helpers';

// auth0-deploy-cli compiles its 8 MB schema on every import (~27 s of CPU, docs/testing-speed.md): on two busy cores an import may take minutes.
jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');

/** The deploy commands of the README's "Deploying" section and docs/deploying.md, run below exactly as written there. */
const README_COMMANDS = {
  deployStaging: 'npm run deploy -- --env staging',
  planStaging: 'npm run deploy -- --env staging --plan',
  planLocal: 'npm run deploy -- --env local --plan',
};

let stack: LocalStack;
let baseBundle: string;
const scratch: string[] = [];
const measured: Record<string, number> = {};

/** The variables of .env.example, each given a value that points at the local tenant. */
function stagingVariables(): Record<string, string> {
  const values: Record<string, string> = {
    AUTH0_DOMAIN: stack.tenant.domain,
    AUTH0_CLIENT_ID: LOCAL_CLIENTS.deploy.client_id,
    AUTH0_CLIENT_SECRET: LOCAL_CLIENTS.deploy.client_secret,
    TENANT_FRIENDLY_NAME: 'Email Flows (staging)',
    SUPPORT_EMAIL: 'support@example.com',
    APP_CALLBACKS: '["https://app.example.com/callback"]',
    APP_LOGOUT_URLS: '["https://app.example.com/"]',
    APP_LOGIN_URL: 'https://app.example.com/login',
    APP_VERIFY_RESULT_URL: 'https://app.example.com/verified',
    RESET_RESULT_URL: 'https://app.example.com/password-set',
    ACTIONS_CLIENT_ID: LOCAL_CLIENTS.actions.client_id,
    ACTIONS_CLIENT_SECRET: LOCAL_CLIENTS.actions.client_secret,
    INVITE_CLIENT_ID: LOCAL_APP.client_id,
    INVITE_APP_NAME: 'Email Flows',
    INVITE_RESULT_URL: '',
    VERIFY_RESULT_URL: 'https://app.example.com/verified',
    SENDGRID_API_KEY: LOCAL_SENDGRID_KEY,
    MAIL_FROM: 'Email Flows <no-reply@example.com>',
    SENDGRID_INVITE_TEMPLATE_ID: 'd-local-invite',
    SENDGRID_VERIFY_TEMPLATE_ID: 'd-local-verify',
    SENDGRID_WELCOME_TEMPLATE_ID: 'd-local-welcome',
    SENDGRID_TEMPLATE_IDS: '',
    WELCOME_SINCE: '',
    EMAIL_ROUTES: '',
    EMAIL_PROVIDER: '',
    // Partner Portal: all optional; a staging tenant gives it its own URLs and no templates of its own.
    PARTNER_CALLBACKS: '["https://partners.example.com/callback"]',
    PARTNER_LOGOUT_URLS: '',
    PARTNER_LOGIN_URL: 'https://partners.example.com/login',
    PARTNER_VERIFY_RESULT_URL: '',
    PARTNER_RESET_RESULT_URL: '',
    PARTNER_VERIFY_TEMPLATE_ID: '',
    PARTNER_WELCOME_TEMPLATE_ID: '',
    PARTNER_INVITE_TEMPLATE_ID: '',
    PARTNER_EMAIL_LOCALE: '',
  };
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
  // The test fills exactly what .env.example lists: a variable missing from it would fail the deploy.
  expect(Object.keys(values).sort()).toEqual([...listed].sort());
  return values;
}

/** Runs a README command as a user would type it, with these variables set. */
async function run(command: string, variables: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const [program, ...args] = command.split(' ');
  const started = Date.now();
  const child = spawn(program as string, args, { cwd: ROOT, env: { ...process.env, ...variables }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output, ms: Date.now() - started };
}

/** Requests that change the tenant: anything but GET to the Management API (a token request changes nothing). */
function writes(requests: LoggedRequest[]): string[] {
  return requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v2')).map((r) => `${r.method} ${r.path}`);
}

/** Requests to endpoints the conformance suite does not check (test/conformance/used-endpoints.ts lists what it checks). */
function unchecked(requests: LoggedRequest[]): string[] {
  return [...new Set(requests.filter((r) => endpointOf(r.method, r.path) === undefined).map((r) => `${r.method} ${r.path}`))];
}

/** The routes (as deploy/application-scopes.ts writes them) the deploy application called, over the README runs. */
const deployCalls = new Set<string>();
function noteDeployCalls(): void {
  for (const r of stack.tenant.requestLog.list()) {
    if (r.client_id !== LOCAL_CLIENTS.deploy.client_id) continue;
    const row = endpointScopes(r.method, r.path.replace(/^\/api\/v2/, ''));
    deployCalls.add(
      `${r.method} ${row === undefined ? r.path : row.path.replace(/:name\b/, '{templateName}').replace(/:([A-Za-z]+)/g, '{$1}')}`,
    );
  }
}

function bundleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-e2e-'));
  scratch.push(dir);
  cpSync(baseBundle, dir, { recursive: true });
  return dir;
}

const localEnv = () => ({ AUTH0_DOMAIN: stack.tenant.domain, LOCAL_TENANT_CA_CERT: stack.tenant.caCertPath });

/** A library deploy of the local environment that must be refused; returns its causes. */
async function refused(bundleDir: string): Promise<string[]> {
  const error = await deploy({ environment: 'local', bundleDir, env: localEnv() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeployRefused);
  return (error as DeployRefused).causes;
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, timings: TEST_TIMINGS });
  baseBundle = mkdtempSync(join(tmpdir(), 'deploy-e2e-base-'));
  scratch.push(baseBundle);
  await buildTenantBundle(ROOT, { outDir: baseBundle });
});

afterAll(async () => {
  await stack?.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  console.log(`deploy e2e timings (ms): ${JSON.stringify(measured)}`);
});

describe('the README, word for word, against the local tenant', () => {
  test(`${README_COMMANDS.planStaging} refuses an unfilled secret, naming it, before any request`, async () => {
    const { SENDGRID_API_KEY: _unset, ...variables } = stagingVariables();
    stack.tenant.requestLog.clear();
    const result = await run(`${README_COMMANDS.planStaging}`, {
      ...variables,
      SENDGRID_API_KEY: '',
      NODE_EXTRA_CA_CERTS: stack.tenant.caCertPath,
    });
    measured.refusedPlanMs = result.ms;
    expect(result.code).toBe(1);
    expect(result.output).toContain('Deploy refused');
    expect(result.output).toMatch(
      /Unfilled placeholder ##SENDGRID_API_KEY## in .*emails\/provider\.json: environment variable SENDGRID_API_KEY is not set\./,
    );
    expect(stack.tenant.requestLog.list()).toEqual([]);
  });

  test(`${README_COMMANDS.deployStaging}: checks, prints the plan, deploys, prints the summary`, async () => {
    stack.tenant.requestLog.clear();
    const result = await run(README_COMMANDS.deployStaging, { ...stagingVariables(), NODE_EXTRA_CA_CERTS: stack.tenant.caCertPath });
    measured.deployMs = result.ms;
    measured.deployWrites = writes(stack.tenant.requestLog.list()).length;
    // Every endpoint the deploy and deploy-cli called is one the conformance suite compares with a real tenant's answers.
    expect(unchecked(stack.tenant.requestLog.list())).toEqual([]);
    noteDeployCalls();
    expect(result.output).not.toMatch(/refused|failed/i);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/Plan for staging \(localhost:\d+\), from deploy-cli's dry run:/);
    expect(result.output).toMatch(/^ {2}create +databases +shared-inbox$/m);
    expect(result.output).toMatch(/^ {2}create +emailProvider +emailProvider$/m);
    expect(result.output).toMatch(/Deployed staging \(localhost:\d+\)/);
    expect(result.output).toMatch(/^ {2}created +actions .*databases members, databases shared-inbox/m);
    // No secret and no address in what was printed.
    expect(result.output).not.toContain(LOCAL_SENDGRID_KEY);
    expect(result.output).not.toContain(LOCAL_CLIENTS.deploy.client_secret);
    expect(result.output).not.toContain('support@example.com');

    const data = stack.tenant.store.data;
    expect(data.connections.map((c) => c.name).sort()).toEqual(['members', 'shared-inbox']);
    expect(data.actions.map((a) => a.name)).toEqual(expect.arrayContaining(['invite-on-registration', 'verify-and-welcome']));
    expect(data.email_provider?.credentials).toEqual({ api_key: LOCAL_SENDGRID_KEY });
    expect(data.tenant.friendly_name).toBe('Email Flows (staging)');
    expect(measured.deployWrites).toBeGreaterThan(10);
    // A free tenant created today (the default profile) took the default build: no template
    // resultUrl, and the post-challenge Action decides where a reset lands.
    expect(stack.tenant.profile).toMatchObject({ name: 'free', templateResultUrlAllowed: false });
    expect(data.email_templates.map((t) => [t.template, t.resultUrl])).toEqual(
      expect.arrayContaining([
        ['reset_email', ''],
        ['verify_email', ''],
      ]),
    );
    expect(data.trigger_bindings.filter((b) => b.trigger_id === 'password-reset-post-challenge')).toHaveLength(1);
  });

  test(`${README_COMMANDS.planStaging} right after: nothing to change, and not one writing request`, async () => {
    stack.tenant.requestLog.clear();
    const result = await run(README_COMMANDS.planStaging, { ...stagingVariables(), NODE_EXTRA_CA_CERTS: stack.tenant.caCertPath });
    measured.planMs = result.ms;
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/Nothing to change: \d+ unchanged/);
    expect(result.output).not.toMatch(/^ {2}(create|update) /m);
    expect(writes(stack.tenant.requestLog.list())).toEqual([]);
    measured.planWrites = writes(stack.tenant.requestLog.list()).length;
    measured.planRequests = stack.tenant.requestLog.list().length;
    expect(unchecked(stack.tenant.requestLog.list())).toEqual([]);
    noteDeployCalls();
  });

  test(`${README_COMMANDS.planLocal} (the local tenant's CA and stand-in values) plans without writing`, async () => {
    stack.tenant.requestLog.clear();
    const result = await run(README_COMMANDS.planLocal, localEnv());
    measured.planLocalMs = result.ms;
    expect(result.code).toBe(0);
    // The local environment's own values differ from staging's: the tenant settings and the app would be updated.
    expect(result.output).toMatch(/^ {2}update +tenant +tenant$/m);
    expect(result.output).toMatch(/^ {2}update +clients +Email Flows App$/m);
    expect(writes(stack.tenant.requestLog.list())).toEqual([]);
    noteDeployCalls();
  });

  test('the deploy application called only what its scope list declares (deploy/application-scopes.ts)', () => {
    const declared = APPLICATION_CALLS.deploy.map((c) => `${c.method} ${c.path}`);
    expect([...deployCalls].filter((made) => !declared.includes(made))).toEqual([]);
    // A first deploy and two plans do not make every declared call (the updates of an existing
    // action, connection and provider come with the next deploy): logged, for the list's upkeep.
    console.log(`deploy calls declared but not made here: ${declared.filter((c) => !deployCalls.has(c)).join(', ') || 'none'}`);
    expect(deployCalls.size).toBeGreaterThan(10);
  });
});

describe('a deploy is refused for each rule, naming the cause, with no writing request', () => {
  beforeEach(() => stack.tenant.requestLog.clear());

  test('an unfilled placeholder: nothing is even read from the tenant', async () => {
    const dir = bundleCopy();
    const tenantJson = join(dir, 'tenant.json');
    writeFileSync(
      tenantJson,
      readFileSync(tenantJson, 'utf8').replace('"support_email"', '"support_url": "##SUPPORT_URL##",\n  "support_email"'),
    );
    expect(await refused(dir)).toEqual([
      'Unfilled placeholder ##SUPPORT_URL## in tenant.json: environments/local.json has no keyword SUPPORT_URL.',
    ]);
    expect(stack.tenant.requestLog.list()).toEqual([]);
  });

  test('a broken Liquid template: nothing is read from the tenant', async () => {
    const dir = bundleCopy();
    const body = join(dir, 'emails', 'reset_email.html');
    writeFileSync(body, readFileSync(body, 'utf8').replace('{{ account }}</strong>.</p>', '{{ account | shout }}</strong>.</p>'));
    expect(await refused(dir)).toEqual([
      expect.stringMatching(
        /^Email template reset_email \(emails\/reset_email\.json, emails\/reset_email\.html\): undefined filter: shout/,
      ),
    ]);
    expect(stack.tenant.requestLog.list()).toEqual([]);
  });

  test('an Action over the size limit: nothing is read from the tenant', async () => {
    const dir = bundleCopy();
    const code = join(dir, 'actions', 'verify-and-welcome', 'code.js');
    writeFileSync(code, `${readFileSync(code, 'utf8')}\n/*${'x'.repeat(101 * 1024)}*/\n`);
    expect(await refused(dir)).toEqual([
      expect.stringMatching(
        /^Action verify-and-welcome is \d+ bytes \(\.\/actions\/verify-and-welcome\/code\.js\), over Auth0's limit of 102400 bytes/,
      ),
    ]);
    expect(stack.tenant.requestLog.list()).toEqual([]);
  });

  test('email.unique changed on a connection the tenant has: only reads reach the tenant', async () => {
    const dir = bundleCopy();
    const file = join(dir, 'database-connections', 'members', 'database.json');
    const members = JSON.parse(readFileSync(file, 'utf8')) as { options: Record<string, unknown> };
    members.options.attributes = {
      email: { unique: false, identifier: { active: false }, profile_required: true, signup: { status: 'required' } },
      username: { identifier: { active: true }, profile_required: true, signup: { status: 'required' } },
    };
    writeFileSync(file, JSON.stringify(members));
    expect(await refused(dir)).toEqual([
      expect.stringMatching(
        /^Connection "members" exists in the tenant with options\.attributes\.email\.unique: true, and the bundle sets it to false/,
      ),
    ]);
    expect(stack.tenant.requestLog.list().length).toBeGreaterThan(0);
    expect(writes(stack.tenant.requestLog.list())).toEqual([]);
  });

  test('a bundle built with template resultUrl, for an environment that does not allow it: nothing is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-e2e-resulturl-'));
    scratch.push(dir);
    await buildTenantBundle(ROOT, { outDir: dir, templateResultUrl: true });
    expect(await refused(dir)).toEqual([
      expect.stringMatching(
        /^emails\/reset_email\.json, emails\/verify_email\.json set a template resultUrl, but environments\/local\.json does not allow one \("templateResultUrl" is not true\)/,
      ),
    ]);
    expect(stack.tenant.requestLog.list()).toEqual([]);
  });

  test('a connection renamed (its users would stay on the old one): only reads reach the tenant', async () => {
    const dir = bundleCopy();
    const from = join(dir, 'database-connections', 'shared-inbox');
    const to = join(dir, 'database-connections', 'shared-mailbox');
    renameSync(from, to);
    const file = join(to, 'database.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"name": "shared-inbox"', '"name": "shared-mailbox"'));
    expect(await refused(dir)).toEqual([
      expect.stringMatching(/^Connection rename: the tenant has "shared-inbox" \(deployed by this project\) .* creates "shared-mailbox"/),
    ]);
    expect(writes(stack.tenant.requestLog.list())).toEqual([]);
    expect(stack.tenant.store.data.connections.map((c) => c.name).sort()).toEqual(['members', 'shared-inbox']);
  });
});

test('a tenant that refuses the template resultUrl anyway: the summary says what was written and which setting to change', async () => {
  // environments/local.json claiming a tenant that allows template resultUrl, deployed into a free tenant created today.
  const environmentsDir = mkdtempSync(join(tmpdir(), 'deploy-e2e-envs-'));
  scratch.push(environmentsDir);
  const local = JSON.parse(readFileSync(join(ROOT, 'environments', 'local.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(environmentsDir, 'local.json'), JSON.stringify({ ...local, templateResultUrl: true }));
  const started = Date.now();
  const error = await deploy({ environment: 'local', environmentsDir, env: localEnv() }).catch((e: unknown) => e);
  measured.refusedTemplateDeployMs = Date.now() - started;
  expect(error).toBeInstanceOf(DeployFailed);
  const { message, summary } = error as DeployFailed;
  expect(message).toContain('Customizations for resultUrl are not allowed for non-enterprise tenants');
  expect(summary.advice).toEqual([expect.stringContaining('Set "templateResultUrl": false in environments/local.json')]);
  expect(message).toContain("To fix: The tenant refused the email templates' resultUrl");
  // What was written is named: the templates were not applied, the Actions were.
  expect(summary.untouched).toEqual(expect.arrayContaining([{ type: 'emailTemplates', name: 'reset_email' }]));
  expect([...summary.created, ...summary.changed, ...summary.resent]).toEqual(
    expect.arrayContaining([{ type: 'actions', name: 'password-reset-landing' }]),
  );
  expect(stack.tenant.store.data.email_templates.find((t) => t.template === 'reset_email')?.resultUrl).toBe('');
}, 300_000);

test("the documentation's deploy commands (README.md and docs/*.md) are only commands this file runs", () => {
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
  // Every line of a fenced code block that runs `npm run deploy`, wherever the documentation now keeps it.
  const commands = pages.flatMap((page) =>
    [...readFileSync(join(ROOT, page), 'utf8').matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((block) =>
      [...(block[1] as string).matchAll(/^\s*(npm run deploy[^#\n]*?)\s*(#.*)?$/gm)].map((m) => ({
        page,
        command: (m[1] as string).trim(),
      })),
    ),
  );
  // dev and prod are described like staging: their commands are the staging ones with another name.
  const tested = new Set(Object.values(README_COMMANDS));
  expect(commands.filter((c) => c.page === 'README.md').length).toBeGreaterThan(0);
  expect(commands.filter(({ command }) => !tested.has(command.replace(/--env (dev|prod)\b/, '--env staging')))).toEqual([]);
});
