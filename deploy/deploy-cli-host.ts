/**
 * A child process that runs auth0-deploy-cli's import, one job after another, through its
 * documented Node API (`require('auth0-deploy-cli').deploy`, the same function `a0deploy import`
 * calls), started by deploy-cli.ts. A deploy runs deploy-cli two or three times (the plan, the
 * import, the read-back after a failure); in one process they pay for deploy-cli's schema once.
 *
 * Why: every import validates the assets against one 8.1 MB JSON schema (8.06 MB of it
 * `prompts.customText`) with a new ajv 6 instance, which compiles it again: ~25 s of CPU before
 * the first request (docs/testing-speed.md). Here the validator compiled for that schema object
 * with those options is kept and reused, and assets without `prompts.customText` (ours) are checked
 * against the schema less that branch, which compiles in under a second and gives the same result,
 * errors and defaults (deploy-cli-schema.ts). Every import is still validated. Nothing else of
 * deploy-cli is changed.
 *
 * Protocol: a `HostJob` in; `output` messages (what deploy-cli wrote to stdout and stderr, in
 * order) and one `done` with the exit code the CLI would have given, out. Over IPC for the
 * process that started it (a lost parent ends the host), or, started with `--listen <socket>`,
 * as lines of JSON over a Unix socket for every process of a test run (test/support/global-setup.ts).
 * Jobs run one at a time: deploy-cli keeps its settings process-wide.
 */
import { appendFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { onJsonLines, type HostJob, type HostMessage } from './deploy-cli';
import { schemaFor, type JsonSchema } from './deploy-cli-schema';

interface AjvLike {
  _opts: unknown;
  errors?: unknown;
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
}
type AjvValidate = (this: AjvLike, schema: unknown, data: unknown) => boolean;

const deployCliDir = dirname(require.resolve('auth0-deploy-cli/package.json'));
/** The ajv deploy-cli loads (its own dependency, not ours). */
const ajvPath = require.resolve('ajv/lib/ajv', { paths: [deployCliDir] });

/** Keeps one compiled validator per schema object and ajv options (ajv 6's own cache is per instance). */
function reuseCompiledSchemas(): void {
  const Ajv = require(ajvPath) as { prototype: { validate: AjvValidate } };
  const original = Ajv.prototype.validate;
  const compiled = new WeakMap<object, Map<string, ReturnType<AjvLike['compile']>>>();
  Ajv.prototype.validate = function validate(this: AjvLike, given: unknown, data: unknown): boolean {
    if (typeof given !== 'object' || given === null) return original.call(this, given, data);
    const schema = schemaFor(given as JsonSchema, data);
    const options = JSON.stringify(this._opts);
    const byOptions = compiled.get(schema) ?? new Map<string, ReturnType<AjvLike['compile']>>();
    compiled.set(schema, byOptions);
    let check = byOptions.get(options);
    if (check === undefined) {
      check = this.compile(schema);
      byOptions.set(options, check);
    }
    const valid = check(data);
    this.errors = check.errors;
    return valid;
  };
}

/** Where the output of the job running now goes; deploy-cli's output is forwarded in order. */
let currentJob: ((message: HostMessage) => void) | undefined;
let currentId = 0;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (currentJob === undefined) return write(chunk, ...rest);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
    currentJob({ id: currentId, type: 'output', text });
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return true;
  };
}

reuseCompiledSchemas();

const deployCli = require('auth0-deploy-cli') as { deploy: (params: Record<string, unknown>) => Promise<void> };

const nconf = require(require.resolve('nconf', { paths: [deployCliDir] })) as {
  stores: Record<string, unknown>;
  remove(name: string): void;
};

const logger = (
  require(require.resolve('auth0-deploy-cli/lib/logger')) as { default: { error(line: string): void; info(line: string): void } }
).default;

async function run(job: HostJob): Promise<number> {
  // deploy-cli keeps its settings in nconf's process-wide stores (a dry run sets AUTH0_DRY_RUN in
  // memory): each job starts from none, as a new `a0deploy` process would.
  for (const name of Object.keys(nconf.stores)) nconf.remove(name);
  try {
    // The parameters `a0deploy import -i <dir> -c <config> [--dry-run]` gives (its --env defaults to true).
    await deployCli.deploy({ input_file: job.inputDir, config_file: job.configPath, env: true, ...(job.dryRun ? { dry_run: true } : {}) });
    return 0;
  } catch (caught) {
    // The lines `a0deploy` logs for a failed command (auth0-deploy-cli lib/index.js), which the deploy's summary reads.
    const error = caught as { type?: string; stage?: string; message?: string };
    logger.error(
      error.type !== undefined || error.stage !== undefined
        ? `Problem running command import during stage ${error.stage} when processing type ${error.type}`
        : 'Problem running command import',
    );
    const message = error.message ?? String(caught);
    logger.error(message);
    if (message.includes('Payload validation error')) {
      logger.info('Please refer to the Auth0 Management API docs for expected payloads: https://auth0.com/docs/api/management/v2');
    }
    return 1;
  }
}

let queue: Promise<void> = Promise.resolve();
function enqueue(job: HostJob, reply: (message: HostMessage) => void): void {
  queue = queue.then(async () => {
    currentJob = reply;
    currentId = job.id;
    const started = { at: Date.now(), cpu: process.cpuUsage() };
    const exitCode = await run(job);
    recordJob(started, job);
    // winston writes through streams: let the job's last lines out before the answer.
    await new Promise((resolve) => setTimeout(resolve, 10));
    currentJob = undefined;
    reply({ id: job.id, type: 'done', exitCode });
  });
}

const listenAt = process.argv[process.argv.indexOf('--listen') + 1];

/** A shared host keeps a line per import beside its socket, so the test run can say what deploy-cli cost it (test/support/global-teardown.ts). */
function recordJob(started: { at: number; cpu: NodeJS.CpuUsage }, job: HostJob): void {
  if (listenAt === undefined || !process.argv.includes('--listen')) return;
  const cpu = process.cpuUsage(started.cpu);
  const line = { wallMs: Date.now() - started.at, cpuMs: Math.round((cpu.user + cpu.system) / 1000), dryRun: job.dryRun === true };
  appendFileSync(`${listenAt}.jobs.jsonl`, `${JSON.stringify(line)}\n`);
}
if (process.argv.includes('--listen') && listenAt !== undefined) {
  rmSync(listenAt, { force: true });
  const server = createServer((socket) => {
    const reply = (message: HostMessage) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    onJsonLines<HostJob>(socket, (job) => enqueue(job, reply));
    socket.on('error', () => undefined);
  });
  server.listen(listenAt, () => process.send?.({ id: 0, type: 'ready' } satisfies HostMessage));
  // Compiled ahead of the first job, while the run starts its other suites.
  setImmediate(warmUp);
  // Ends with the run that started it, however that ends.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 2000).unref();
} else {
  process.on('message', (job: HostJob) => enqueue(job, (message) => process.send?.(message)));
  process.send?.({ id: 0, type: 'ready' } satisfies HostMessage);
}
process.on('disconnect', () => {
  if (!process.argv.includes('--listen')) process.exit(0);
});

/** Compiles deploy-cli's schema with the options its import uses, so that the first job finds it compiled. */
function warmUp(): void {
  const Ajv = require(ajvPath) as new (options: object) => {
    validate(schema: object, data: unknown): boolean;
  };

  const schema = (require(require.resolve('auth0-deploy-cli/lib/tools/auth0/schema')) as { default: object }).default;
  const started = process.cpuUsage();
  // The schema the project's bundles are checked against (they set no prompts.customText).
  new Ajv({ useDefaults: true, nullable: true }).validate(schema, {});
  const cpu = process.cpuUsage(started);
  if (listenAt !== undefined)
    appendFileSync(`${listenAt}.jobs.jsonl`, `${JSON.stringify({ warmUpCpuMs: Math.round((cpu.user + cpu.system) / 1000) })}\n`);
}
