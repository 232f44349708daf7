import { createInterface } from 'node:readline';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { SendGridOptions } from '../actions/shared/sendgrid-mail';
import { loadDotenvFiles } from '../deploy/dotenv-files';
import { AdminConfigError, loadAdminConfig, requireSettings, type AdminConfig } from './admin-config';
import { CsvHeaderError } from './csv-rows';
import { UserLookupError } from './find-user';
import { missingScopes } from '../actions/shared/request-failure';
import { connectManagement, ManagementTokenError, type AdminManagement } from './management';
import { RateGovernor } from './rate-limit';
import { transportFor } from './transport';

/**
 * The command shell every script runs in (runCommandLine: exit codes, help, Ctrl-C), and what
 * the administrators' commands share besides: flags, configuration, the Management API connection.
 */

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

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

/**
 * `--env`: which environments/<name>.json; `local` (the local tenant of `npm start`) unless
 * ADMIN_ENV says otherwise. Every admin command takes it.
 */
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
  try {
    loadDotenvFiles(process.cwd(), environment);
  } catch (error) {
    throw new AdminConfigError((error as Error).message, []);
  }
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

/** Where a question is asked and its answer read: the terminal, or streams in a test. */
export interface PromptStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** stdin for answers and stderr for questions when both are a terminal; undefined otherwise (CI, a pipe): nothing is asked. */
export function terminal(): PromptStreams | undefined {
  return process.stdin.isTTY === true && process.stderr.isTTY === true ? { input: process.stdin, output: process.stderr } : undefined;
}

/**
 * Asks on `streams` (the terminal by default). Undefined without a terminal, for an empty
 * answer, or when the input ends unanswered (Ctrl-D, Ctrl-C), so the caller fails with what to
 * give instead of waiting.
 */
export async function ask(question: string, streams: PromptStreams | undefined = terminal()): Promise<string | undefined> {
  if (streams === undefined) return undefined;
  const rl = createInterface({ input: streams.input, output: streams.output });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      // Without this a question stays pending when the input closes first, and the process ends with nothing said.
      rl.once('close', () => resolve(undefined));
      rl.question(question, resolve);
    });
    const trimmed = answer?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
  } finally {
    rl.close();
  }
}

/**
 * One command of `npm start` / `npm run <name>`: its flags and help, and what it does with them.
 * Every command runs through runCommandLine, so they share one entry shape: usage errors exit
 * EXIT.usage (2), failures EXIT.failed (1), success EXIT.ok (0), an interrupted run
 * EXIT.interrupted (130), the same `--help` layout, and the same Ctrl-C handling.
 */
export interface CommandDefinition<Flags extends object> {
  /** Names its failures: `invite failed: ...`. */
  name: string;
  /** Its flags and help; made afresh for each run, so a test can run the command again in-process. */
  program(): Command;
  /** The work: returns the exit code. Errors it throws become a message and a code (`failure`, else failureOf). */
  run(flags: Flags, shell: CommandShell): Promise<number>;
  /** This command's own errors (e.g. a refused deploy), with their message and code; undefined: failureOf decides. */
  failure?(error: unknown): Failure | undefined;
}

export interface Failure {
  code: number;
  message: string;
}

/** What runCommandLine gives a command's body. */
export interface CommandShell {
  /** Prints `message` (what is wrong with the command line) and gives EXIT.usage. */
  usage(message: string): number;
  /** Prints the command's help, as for a missing choice, and gives EXIT.usage. */
  showUsage(): number;
  /**
   * Ctrl-C (or SIGTERM) once: `onFirst` says what happens next, and the signal aborts: the
   * command stops taking new work, finishes what is in flight, and returns. Twice: exits
   * EXIT.interrupted at once. Without this, Ctrl-C ends the command at once, as Node does.
   */
  interruptible(onFirst: () => void): AbortSignal;
}

/** Where commander writes its help and usage errors: the process's stdout and stderr unless a test says otherwise. */
export interface CommandOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/**
 * Parses `argv` (the arguments after the script) and runs the command; resolves to its exit
 * code, never rejects. Commander's own usage errors (an unknown option, an option without its
 * value or with an invalid one, extra arguments) give EXIT.usage instead of commander's 1, after
 * commander's message (`error: unknown option '--emial'`); `--help` gives EXIT.ok. Known errors
 * become one clear message, never a stack trace (DEBUG=1 adds it).
 */
export async function runCommandLine<Flags extends object>(
  definition: CommandDefinition<Flags>,
  argv: readonly string[],
  output?: CommandOutput,
): Promise<number> {
  const program = definition
    .program()
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput(output ?? {});
  const fail = (error: unknown): number => {
    const { code, message } = definition.failure?.(error) ?? failureOf(definition.name, error);
    console.error(message);
    if (process.env.DEBUG !== undefined && error instanceof Error) console.error(error.stack);
    return code;
  };
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return fail(error);
  }
  const listeners: (() => void)[] = [];
  const shell: CommandShell = {
    usage(message) {
      console.error(message);
      return EXIT.usage;
    },
    showUsage() {
      program.outputHelp({ error: true });
      return EXIT.usage;
    },
    interruptible(onFirst) {
      const controller = new AbortController();
      const handler = () => {
        if (controller.signal.aborted) process.exit(EXIT.interrupted);
        onFirst();
        controller.abort();
      };
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      listeners.push(handler);
      return controller.signal;
    },
  };
  try {
    return await definition.run(program.opts<Flags>(), shell);
  } catch (error) {
    return fail(error);
  } finally {
    for (const handler of listeners) {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    }
  }
}

/** A script's entry point: runs the command on the process's arguments and exits with its code. */
export function runMain<Flags extends object>(definition: CommandDefinition<Flags>): void {
  void runCommandLine(definition, process.argv.slice(2)).then((code) => process.exit(code));
}

/**
 * What a command prints and exits with for an error: a configuration error (missing setting,
 * unknown environment), a CSV whose header the command refuses, and a lookup that needs other
 * flags are usage (2): nothing was sent, and the command line or its file must change; an unknown user, a
 * refused token and anything else are failures (1), the last with its addresses masked.
 */
export function failureOf(name: string, error: unknown): Failure {
  if (error instanceof AdminConfigError || error instanceof CsvHeaderError) return { code: EXIT.usage, message: error.message };
  if (error instanceof UserLookupError) return { code: error.kind === 'not_found' ? EXIT.failed : EXIT.usage, message: error.message };
  if (error instanceof ManagementTokenError) return { code: EXIT.failed, message: error.message };
  const scopes = missingScopes(error);
  if (scopes !== undefined) {
    return {
      code: EXIT.failed,
      message:
        `${name} failed: the scripts' application lacks the Management API scope ${scopes.split(',').join(' or ')} ` +
        '(Auth0 answered 403 insufficient_scope). Grant it as docs/scopes.md describes.',
    };
  }
  return { code: EXIT.failed, message: `${name} failed: ${withoutAddresses(error instanceof Error ? error.message : String(error))}` };
}

/** Console lines never carry an email address, even inside an error message from Auth0. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s@<>()[\],;:"']+@[^\s@<>()[\],;:"']+/g, '<email>');
}
