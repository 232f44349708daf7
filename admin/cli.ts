import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import { loadDotenvFiles } from '../deploy/dotenv-files';
import { AdminConfigError, loadAdminConfig, requireSettings, type AdminConfig } from './admin-config';
import { UserLookupError } from './find-user';
import { connectManagement, ManagementTokenError, type AdminManagement } from './management';
import { RateGovernor } from './rate-limit';
import { transportFor } from './transport';

/** What the four admin commands share: flags, configuration, exit codes. */

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export interface CommonOptions {
  env: string;
}

export interface RateOptions {
  rate?: number;
  burst?: number;
  concurrency?: number;
}

export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive number');
  return parsed;
}

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** `--env`: which environments/<name>.json; `local` (the local tenant of `npm start`) unless ADMIN_ENV says otherwise. */
export function withEnvironment(command: Command): Command {
  return command.addOption(
    new Option('--env <name>', 'environment description environments/<name>.json').env('ADMIN_ENV').default('local'),
  );
}

export function withRateOptions(command: Command): Command {
  return command
    .option(
      '--rate <per-second>',
      "at most this many Management API requests per second (default 50; the tenant's x-ratelimit-* headers pace below it)",
      positiveNumber,
    )
    .option('--burst <requests>', 'requests sent at once when the limits allow (default: --concurrency)', positiveInteger)
    .option('--concurrency <requests>', 'Management API requests in flight at once (default 4)', positiveInteger);
}

/**
 * Reads `.env.<environment>` then `.env` from the current folder (the repository, under npm
 * run), as the deploy does; what is already set wins. Then the environment description.
 */
export function loadConfig(environment: string): AdminConfig {
  loadDotenvFiles(process.cwd(), environment);
  return loadAdminConfig({ environment });
}

/** The SendGrid settings with the transport that trusts the environment's CA, if any. */
export function mailWithTransport(config: AdminConfig, mail: SendGridOptions): SendGridOptions {
  const transport = transportFor(config.caCertPath);
  return transport === undefined ? mail : { ...mail, httpsAgent: transport.httpsAgent };
}

export function connect(config: AdminConfig, rate: RateOptions = {}, signal?: AbortSignal): AdminManagement {
  const { management } = requireSettings(config, { management: config.management });
  const governor = new RateGovernor({
    ...(rate.rate !== undefined ? { ratePerSecond: rate.rate } : {}),
    ...(rate.burst !== undefined ? { burst: rate.burst } : {}),
    ...(rate.concurrency !== undefined ? { concurrency: rate.concurrency } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
  const transport = transportFor(config.caCertPath);
  return connectManagement({ credentials: management, governor, ...(transport !== undefined ? { fetch: transport.fetch } : {}) });
}

/**
 * Ctrl-C once: stop taking new work, finish what is in flight, leave the journal ready to
 * resume. Twice: exit at once.
 */
export function interruptOnSignal(onFirst: () => void): AbortController {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return controller;
}

/** Asks on a terminal; undefined when stdin is not one (CI), so the caller fails with the list instead. */
export async function ask(question: string): Promise<string | undefined> {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(question)).trim();
    return answer === '' ? undefined : answer;
  } finally {
    rl.close();
  }
}

/** Runs a command's body; known errors become one clear message and an exit code, never a stack trace. */
export function runCommand(name: string, body: () => Promise<number>): void {
  body().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof AdminConfigError) {
        console.error(error.message);
        process.exit(EXIT.usage);
      }
      if (error instanceof UserLookupError) {
        console.error(error.message);
        process.exit(error.kind === 'not_found' ? EXIT.failed : EXIT.usage);
      }
      if (error instanceof ManagementTokenError) {
        console.error(error.message);
        process.exit(EXIT.failed);
      }
      const message = withoutAddresses(error instanceof Error ? error.message : String(error));
      console.error(`${name} failed: ${message}`);
      if (process.env.DEBUG !== undefined && error instanceof Error) console.error(error.stack);
      process.exit(EXIT.failed);
    },
  );
}

/** Console lines never carry an email address, even inside an error message from Auth0. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s@<>()[\],;:"']+@[^\s@<>()[\],;:"']+/g, '<email>');
}
