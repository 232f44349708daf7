import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caKey, deployCliHostArgs, type HostMessage } from '../../deploy/deploy-cli';
import { localhostCertificate } from '../../local-tenant/certificate';

/**
 * One auth0-deploy-cli host for the whole run, shared by every jest worker and every
 * `npm run deploy` the tests start (they inherit DEPLOY_CLI_HOST): deploy-cli is loaded and its
 * schema compiled once for the run instead of once per process (deploy/deploy-cli-host.ts).
 * It trusts the certificate every local tenant of the run serves.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-cli-host-'));
  const caCertPath = join(dir, 'local-tenant-ca.pem');
  writeFileSync(caCertPath, (await localhostCertificate()).cert);
  const socketPath = join(dir, 'host.sock');
  const host = spawn(process.execPath, deployCliHostArgs(socketPath), {
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: caCertPath,
      AUTH0_DOMAIN: undefined,
      AUTH0_CLIENT_ID: undefined,
      AUTH0_CLIENT_SECRET: undefined,
      AUTH0_ACCESS_TOKEN: undefined,
    },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    host.once('message', (message: HostMessage) => (message.type === 'ready' ? resolve() : reject(new Error('unexpected message'))));
    host.once('exit', (code) => reject(new Error(`the deploy-cli host ended before it listened (exit ${code})`)));
  });
  host.disconnect();
  host.unref();
  process.env.DEPLOY_CLI_HOST = socketPath;
  process.env.DEPLOY_CLI_HOST_CA = caKey(caCertPath);
  (globalThis as { deployCliHost?: { kill(): void; dir: string } }).deployCliHost = { kill: () => host.kill(), dir };
}
