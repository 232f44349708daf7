/**
 * Bad arguments to the commands, against a local tenant over HTTPS: each is a usage error: it
 * says what is wrong, exits 2 (the commands' code for a usage or configuration error, not 1, a
 * failed run), and writes nothing: no writing request reaches the tenant, no email is sent, and
 * no journal or report is left behind.
 *
 * Every case runs in this process, through the command shell every script runs in
 * (runCommandLine, with the command's definition), with only the environment a child would get;
 * one case per command also runs as `npm run <command>` runs it (`node --require tsx/cjs scripts/<command>.ts`, its own
 * process), so each entry point is checked as a whole. A child costs seconds of CPU; the shell's
 * parse, milliseconds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CLIENTS, LOCAL_SENDGRID_KEY } from '../../local-tenant/local-stack';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/server';
import { createDatabaseUser } from '../../local-tenant/state/users';
import { seedTenant, TEST_TIMINGS } from '../../local-tenant/test/helpers';
import { commandProcessArgs } from '../support/command-process';
import { runInProcess as runCommand } from '../support/command-runs';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'script-arguments-'));
let tenant: LocalTenant;
let cases = 0;

beforeAll(async () => {
  tenant = await startLocalTenant({
    port: 0,
    bootstrapClient: LOCAL_CLIENTS.deploy,
    machineClients: [LOCAL_CLIENTS.actions, LOCAL_CLIENTS.admin],
    sendgridApiKeys: [LOCAL_SENDGRID_KEY],
    timings: TEST_TIMINGS,
  });
  // The connections, and one account, so that a command gets as far as its own checks.
  seedTenant(tenant);
  createDatabaseUser(tenant.store, {
    connection: 'shared-inbox',
    email: 'family@example.com',
    username: 'ada',
    password: 'Correct-Horse-Battery-9',
  });
  writeFileSync(join(dir, 'bad-header.csv'), 'email,nickname,connection\nada@example.com,ada,members\n');
  writeFileSync(join(dir, 'good.csv'), 'email,connection\nada@example.com,members\n');
});

afterAll(async () => {
  await tenant?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  output: string;
}

/** The environment a command gets: nothing of this process's, only what the test gives. */
function commandEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, AUTH0_DOMAIN: tenant.domain };
}

/** `node --require tsx/cjs scripts/<script>.ts`, its own process, as `npm run <script>` runs it. */
function runChild(script: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, commandProcessArgs(script, args), {
      cwd: dir, // no .env here: only what the test gives
      env: { ...commandEnvironment(), NODE_EXTRA_CA_CERTS: tenant.caCertPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The same command in this process, in the same folder, with the same environment (the CA
 * through LOCAL_TENANT_CA_CERT, which environments/local.json reads, since NODE_EXTRA_CA_CERTS
 * counts only when a process starts).
 */
async function runInProcess(script: string, args: readonly string[]): Promise<Run> {
  const { code, output } = await runCommand(script, args, {
    cwd: dir,
    env: { ...commandEnvironment(), LOCAL_TENANT_CA_CERT: tenant.caCertPath },
  });
  return { code, output };
}

/** Stands for the case's own --state-dir. */
const STATE = '<state-dir>';

type Case = readonly [script: string, what: string, args: string[], message: RegExp];

const CASES: readonly Case[] = [
  ['invite', 'no user and no CSV', ['--env', 'local'], /--csv <file>.*--email <address>/s],
  ['invite', 'a CSV that does not exist', ['--env', 'local', '--csv', 'missing.csv', '--state-dir', STATE], /No CSV file at missing\.csv/],
  [
    'invite',
    'a CSV with an unknown column',
    ['--env', 'local', '--csv', 'bad-header.csv', '--state-dir', STATE],
    /Unknown CSV column\(s\): nickname/,
  ],
  [
    'invite',
    'an address that is none',
    ['--env', 'local', '--email', 'not-an-email', '--connection', 'members'],
    /email is not a valid address/,
  ],
  ['invite', 'no connection', ['--env', 'local', '--email', 'ada@example.com'], /connection is missing/],
  [
    'invite',
    'a locale that is none',
    ['--env', 'local', '--email', 'ada@example.com', '--connection', 'members', '--locale', 'x y'],
    /locale is not a language tag/,
  ],
  ['invite', 'an unknown option', ['--env', 'local', '--emial', 'ada@example.com'], /unknown option '--emial'/],
  [
    'invite',
    'an unknown environment',
    ['--env', 'nosuch', '--email', 'ada@example.com', '--connection', 'members'],
    /environment "nosuch"/,
  ],
  [
    'invite',
    'a concurrency of zero',
    ['--env', 'local', '--csv', 'good.csv', '--concurrency', '0', '--state-dir', STATE],
    /concurrency|positive/i,
  ],
  ['reset-password', 'no account', ['--env', 'local'], /Give the account: --username/],
  ['reset-password', 'a username that is none', ['--env', 'local', '--username', 'bad user'], /not a valid username/],
  [
    'reset-password',
    'two accounts at once',
    ['--env', 'local', '--username', 'ada', '--email', 'ada@example.com'],
    /--username <name> \(or --user-id <id>, or --email <address>\)/,
  ],
  [
    'set-secondary-email',
    'an address that is none',
    ['--env', 'local', '--username', 'ada', '--secondary-email', 'nope'],
    /not a valid address/,
  ],
  ['resend', 'no user', ['--env', 'local'], /--user-id|--username|--email|--search/],
  ['invitations', 'no action', ['--env', 'local'], /missing required argument 'action'/],
  [
    'invitations',
    'an unknown state',
    ['list', '--env', 'local', '--status', 'lost'],
    /Allowed choices are pending, accepted, expired, revoked/,
  ],
  ['invitations', 'a duration that is none', ['list', '--env', 'local', '--older-than', '3 days'], /give a duration/],
  ['invitations', 'resend without a selection', ['resend', '--env', 'local'], /give one of --expired, --pending/],
  ['invitations', 'revoke without --how', ['revoke', '--env', 'local', '--username', 'ada'], /--how block/],
  ['invite', 'an empty role list', ['--env', 'local', '--email', 'ada@example.com', '--roles', ','], /give role ids separated by commas/],
  ['invite', 'a role name for an id', ['--env', 'local', '--email', 'ada@example.com', '--roles', 'rol_Ab1,editor'], /give role ids/],
  ['invite', 'an empty inviter', ['--env', 'local', '--email', 'ada@example.com', '--invited-by', ' '], /give a name of 1 to 100/],
  ['deploy', 'an unknown environment', ['--env', 'nosuch'], /Unknown environment "nosuch"/],
  ['deploy', 'no environment', [], /required option '--env <name>'/],
  ['build', 'an unknown email provider', ['--email-provider', 'nosuch'], /Unknown email provider "nosuch"/],
  ['start', 'a port that is none', ['--port', 'x'], /--port must be a port number/],
  ['start', 'an unknown tenant profile', ['--tenant-profile', 'nosuch'], /--tenant-profile must be one of/],
  ['preview', 'an unknown option', ['--nosuch'], /unknown option '--nosuch'/],
];

/** One case of each command also as its own process: the entry point, its exit code, its output. */
const CHILD_CASES: readonly (readonly [script: string, what: string])[] = [
  ['invite', 'a CSV with an unknown column'],
  ['reset-password', 'no account'],
  ['set-secondary-email', 'an address that is none'],
  ['resend', 'no user'],
  ['invitations', 'no action'],
  ['deploy', 'an unknown environment'],
  ['build', 'an unknown email provider'],
  ['start', 'a port that is none'],
  ['preview', 'an unknown option'],
];

/**
 * The child processes start together once the tenant is up, three at a time (they mostly wait
 * on tsx's start), while the in-process cases run; each child's own test waits for its result.
 * A window of requests then holds others' requests too, which only makes "no writes" stricter.
 */
const childRuns = new Map<string, Promise<Observed>>();
beforeAll(() => {
  const queue = CASES.filter(([script, what]) => CHILD_CASES.some(([s, w]) => s === script && w === what));
  const lanes = [0, 1, 2].map(() => Promise.resolve());
  queue.forEach(([script, what, args], index) => {
    const lane = index % lanes.length;
    const observed = lanes[lane]!.then(() => observe(runChild, script, args));
    lanes[lane] = observed.then(
      () => undefined,
      () => undefined,
    );
    childRuns.set(`${script} ${what}`, observed);
  });
});

describe.each(CASES)('%s with %s', (script, what, args, message) => {
  it('says what is wrong, exits 2, and writes nothing', async () => expectUsageError(await observe(runInProcess, script, args), message));
  if (CHILD_CASES.some(([childScript, childWhat]) => childScript === script && childWhat === what)) {
    it(`does so as its own process too (node --require tsx/cjs scripts/${script}.ts)`, async () =>
      expectUsageError(await childRuns.get(`${script} ${what}`)!, message));
  }
});

interface Observed extends Run {
  writes: string[];
  emailsSent: number;
  leftovers: string[];
}

/** Runs the command and notes what it left: writing requests, emails, files in its --state-dir. */
async function observe(
  run: (script: string, args: readonly string[]) => Promise<Run>,
  script: string,
  args: readonly string[],
): Promise<Observed> {
  const stateDir = join(dir, `state-${++cases}`);
  const before = tenant.requestLog.list().length;
  const outbox = tenant.store.outbox.list().length;
  const result = await run(
    script,
    args.map((arg) => (arg === STATE ? stateDir : arg)),
  );
  const requests = tenant.requestLog.list().slice(before);
  // Reading is allowed (a token, a lookup); writing is not.
  const writes = requests.filter((r) => r.method !== 'GET' && r.path !== '/oauth/token').map((r) => `${r.method} ${r.path}`);
  let leftovers: string[] = [];
  try {
    leftovers = readdirSync(stateDir);
  } catch {
    // never created: nothing left behind
  }
  return { ...result, writes, emailsSent: tenant.store.outbox.list().length - outbox, leftovers };
}

function expectUsageError(result: Observed, message: RegExp): void {
  expect({ code: result.code, message: message.test(result.output) ? 'clear' : result.output.slice(-400) }).toEqual({
    code: 2,
    message: 'clear',
  });
  expect(result.output).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // a message, not a stack trace
  expect(result.writes).toEqual([]);
  expect(result.emailsSent).toBe(0);
  expect(result.leftovers).toEqual([]);
}
