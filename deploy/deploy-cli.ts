import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The resource types this project manages; deploy-cli leaves every other type of the tenant alone. */
export const MANAGED_RESOURCE_TYPES = ['actions', 'triggers', 'databases', 'clients', 'emailTemplates', 'emailProvider', 'tenant'] as const;

export interface DeployCliOptions {
  inputDir: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  keywords: Record<string, string | string[]>;
  /** A CA for a tenant with a self-signed certificate (the local tenant); read by Node at process start. */
  caCertPath?: string;
  dryRun?: boolean;
  /**
   * Fields the dry run must not compare, per resource type (deploy-cli's
   * AUTH0_IGNORE_DRY_RUN_FIELDS): the write-only ones, which Auth0 never returns.
   */
  ignoreDryRunFields?: Record<string, string[]>;
  /** Receives deploy-cli's output as it comes. */
  onOutput?: (chunk: string) => void;
}

export interface DeployCliResult {
  exitCode: number;
  output: string;
}

const cliPath = require.resolve('auth0-deploy-cli/lib/index.js');

/**
 * Runs the real `a0deploy import` in a child process. The config (with the client secret) goes
 * in a private temporary file, removed afterwards, never on the command line. Deletion is
 * always off, and only the managed resource types are touched.
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
      ...(options.ignoreDryRunFields !== undefined ? { AUTH0_IGNORE_DRY_RUN_FIELDS: options.ignoreDryRunFields } : {}),
    }),
    { mode: 0o600 },
  );
  const args = [cliPath, 'import', '--input_file', options.inputDir, '--config_file', configPath];
  if (options.dryRun === true) args.push('--dry-run');
  try {
    return await new Promise<DeployCliResult>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        env: {
          ...process.env,
          ...(options.caCertPath !== undefined ? { NODE_EXTRA_CA_CERTS: options.caCertPath } : {}),
          // The config file is the only source of settings: keep the caller's AUTH0_* out.
          AUTH0_DOMAIN: undefined,
          AUTH0_CLIENT_ID: undefined,
          AUTH0_CLIENT_SECRET: undefined,
          AUTH0_ACCESS_TOKEN: undefined,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const collect = (chunk: Buffer) => {
        const text = chunk.toString();
        output += text;
        options.onOutput?.(text);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
