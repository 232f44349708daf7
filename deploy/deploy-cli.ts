import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The resource types this project manages; deploy-cli leaves every other type of the tenant alone. */
export const MANAGED_RESOURCE_TYPES = ['actions', 'triggers', 'databases', 'clients', 'emailTemplates', 'emailProvider', 'tenant'] as const;

interface DeployCliOptions {
  inputDir: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  keywords: Record<string, string | string[]>;
  /** A CA for a tenant with a self-signed certificate (the local tenant); read by Node at process start. */
  caCertPath?: string | undefined;
  dryRun?: boolean | undefined;
  /**
   * Fields the dry run must not compare, per resource type (deploy-cli's
   * AUTH0_IGNORE_DRY_RUN_FIELDS): the write-only ones, which Auth0 never returns.
   */
  ignoreDryRunFields?: Record<string, string[]> | undefined;
  /** Receives deploy-cli's output as it comes. */
  onOutput?: ((chunk: string) => void) | undefined;
}

export interface DeployCliResult {
  exitCode: number;
  output: string;
}

/** A job for deploy-cli-host.ts: one `a0deploy import` of `inputDir` with the settings in `configPath`. */
export interface HostJob {
  id: number;
  inputDir: string;
  configPath: string;
  dryRun: boolean;
}

/** What deploy-cli-host.ts answers: its output as it comes, then the CLI's exit code. */
export type HostMessage =
  { id: number; type: 'ready' } | { id: number; type: 'output'; text: string } | { id: number; type: 'done'; exitCode: number };

interface PendingJob {
  onOutput: (text: string) => void;
  resolve: (exitCode: number) => void;
  reject: (error: Error) => void;
}

/**
 * One deploy-cli host per CA, kept on `process` so that every module instance in this process
 * shares it (jest loads this module once per test file in the same worker). A host runs one job
 * at a time; it ends with this process.
 */
class DeployCliHost implements HostClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, PendingJob>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(caCertPath: string | undefined) {
    this.child = spawn(process.execPath, deployCliHostArgs(), {
      env: {
        ...process.env,
        ...(caCertPath !== undefined ? { NODE_EXTRA_CA_CERTS: caCertPath } : {}),
        // The config file is the only source of settings: keep the caller's AUTH0_* out.
        AUTH0_DOMAIN: undefined,
        AUTH0_CLIENT_ID: undefined,
        AUTH0_CLIENT_SECRET: undefined,
        AUTH0_ACCESS_TOKEN: undefined,
      },
      // Its jobs' output comes over IPC; stderr is kept for a host that fails to start.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stray = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      stray = (stray + chunk.toString()).slice(-4000);
    });
    this.child.on('message', (message: HostMessage) => {
      const job = this.pending.get(message.id);
      if (job === undefined) return;
      if (message.type === 'output') job.onOutput(message.text);
      if (message.type === 'done') {
        this.pending.delete(message.id);
        this.idle();
        job.resolve(message.exitCode);
      }
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
    };
    this.child.on('error', fail);
    this.child.on('exit', (code, signal) => fail(new Error(`the deploy-cli host ended (${signal ?? `exit ${code}`}): ${stray.trim()}`)));
    this.idle();
  }

  get usable(): boolean {
    return this.failure === undefined;
  }

  run(job: Omit<HostJob, 'id'>, onOutput: (text: string) => void): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { onOutput, resolve, reject });
      this.child.ref();
      this.child.channel?.ref();
      (this.child.stderr as Socket | null)?.ref();
      this.child.send({ ...job, id } satisfies HostJob);
    });
  }

  /** Without jobs, the host does not keep this process alive. */
  private idle(): void {
    if (this.pending.size > 0) return;
    // The child, its IPC channel and its stderr pipe each hold this process open.
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stderr as Socket | null)?.unref();
  }

  stop(): void {
    this.child.kill();
  }
}

const hostPath = join(__dirname, 'deploy-cli-host.ts');
const tsxHook = require.resolve('tsx/cjs');
const HOSTS = Symbol.for('auth0-email-flows.deploy-cli-hosts');

/** The arguments that start a deploy-cli host with Node (`--listen <socket>` for a shared one). */
export function deployCliHostArgs(listen?: string): string[] {
  return ['--require', tsxHook, hostPath, ...(listen !== undefined ? ['--listen', listen] : [])];
}

/**
 * A host started for a whole test run (test/support/global-setup.ts), shared by every process of
 * the run over a Unix socket: `DEPLOY_CLI_HOST` is the socket, `DEPLOY_CLI_HOST_CA` the SHA-256 of
 * the CA it trusts. Used only for deploys to a tenant with that CA.
 */
function sharedHost(caKey: string): HostClient | undefined {
  const socketPath = process.env.DEPLOY_CLI_HOST;
  if (socketPath === undefined || socketPath === '' || process.env.DEPLOY_CLI_HOST_CA !== caKey) return undefined;
  return {
    run: (job, onOutput) =>
      new Promise<number>((resolve, reject) => {
        const socket = connect(socketPath);
        let done = false;
        socket.on('connect', () => socket.write(`${JSON.stringify({ ...job, id: 1 } satisfies HostJob)}\n`));
        onJsonLines<HostMessage>(socket, (message) => {
          if (message.type === 'output') onOutput(message.text);
          if (message.type === 'done') {
            done = true;
            socket.end();
            resolve(message.exitCode);
          }
        });
        socket.on('error', reject);
        socket.on('close', () => {
          if (!done) reject(new Error(`the shared deploy-cli host at ${socketPath} closed the connection before the job ended`));
        });
      }),
  };
}

/** The shared host's wire format, both ways: one JSON value a line. */
export function onJsonLines<T>(socket: Socket, receive: (value: T) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      receive(JSON.parse(line) as T);
    }
  });
}

interface HostClient {
  run(job: Omit<HostJob, 'id'>, onOutput: (text: string) => void): Promise<number>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The CA a host trusts, by content: every local tenant writes the same certificate to a path of its own. */
export function caKey(caCertPath: string | undefined): string {
  if (caCertPath === undefined) return '';
  try {
    return createHash('sha256').update(readFileSync(caCertPath)).digest('hex');
  } catch {
    return `unreadable:${caCertPath}`; // Node will say so when the host starts
  }
}

function hostFor(caCertPath: string | undefined): HostClient {
  // Without a CA of its own, a host trusts what it inherits: NODE_EXTRA_CA_CERTS (read at its start).
  const key = caKey(caCertPath ?? nonEmpty(process.env.NODE_EXTRA_CA_CERTS));
  const shared = sharedHost(key);
  if (shared !== undefined) return shared;
  const perProcess = process as unknown as Record<symbol, Map<string, DeployCliHost> | undefined>;
  const hosts = (perProcess[HOSTS] ??= new Map<string, DeployCliHost>());
  let host = hosts.get(key);
  if (host === undefined || !host.usable) {
    host = new DeployCliHost(caCertPath);
    hosts.set(key, host);
  }
  return host;
}

/**
 * Runs the real `a0deploy import` (deploy-cli's Node API, in a host process shared by this
 * process's deploys: see deploy-cli-host.ts). The config (with the client secret) goes in a
 * private temporary file, removed afterwards, never on a command line. Deletion is always off,
 * and only the managed resource types are touched.
 */
export async function runDeployCli(options: DeployCliOptions): Promise<DeployCliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'a0deploy-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      AUTH0_DOMAIN: options.domain,
      AUTH0_CLIENT_ID: options.clientId,
      AUTH0_CLIENT_SECRET: options.clientSecret,
      AUTH0_ALLOW_DELETE: false,
      AUTH0_INCLUDED_ONLY: MANAGED_RESOURCE_TYPES,
      AUTH0_KEYWORD_REPLACE_MAPPINGS: options.keywords,
      // JSON leaves an unset one out.
      AUTH0_IGNORE_DRY_RUN_FIELDS: options.ignoreDryRunFields,
    }),
    { mode: 0o600 },
  );
  try {
    return await importWithDeployCli({
      inputDir: options.inputDir,
      configPath,
      dryRun: options.dryRun === true,
      caCertPath: options.caCertPath,
      onOutput: options.onOutput,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `a0deploy import -i <inputDir> -c <configPath> [--dry-run]` through deploy-cli's Node API, in
 * this process's deploy-cli host for that CA.
 */
export async function importWithDeployCli(options: {
  inputDir: string;
  configPath: string;
  dryRun?: boolean | undefined;
  caCertPath?: string | undefined;
  onOutput?: ((chunk: string) => void) | undefined;
}): Promise<DeployCliResult> {
  let output = '';
  const exitCode = await hostFor(options.caCertPath).run(
    { inputDir: options.inputDir, configPath: options.configPath, dryRun: options.dryRun === true },
    (text) => {
      output += text;
      options.onOutput?.(text);
    },
  );
  return { exitCode, output };
}
