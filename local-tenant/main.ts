import { parseArgs } from 'node:util';
import { startLocalTenant, type LocalTenantOptions } from './server';

/**
 * Stand-alone start of the local tenant (without the Actions runtime, which `npm start`
 * wires in): `tsx local-tenant/main.ts [--port 3000] [--https-port 3443] [--data file.json]`.
 * The deploy client comes from LOCAL_TENANT_CLIENT_ID / LOCAL_TENANT_CLIENT_SECRET.
 */
export function parseLocalTenantArgs(argv: string[], env: NodeJS.ProcessEnv): LocalTenantOptions {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, 'https-port': { type: 'string' }, data: { type: 'string' } },
  });
  const options: LocalTenantOptions = {
    port: Number(values.port ?? env['PORT'] ?? 3000),
    httpsPort: Number(values['https-port'] ?? env['HTTPS_PORT'] ?? 3443),
    bootstrapClient: {
      client_id: env['LOCAL_TENANT_CLIENT_ID'] ?? 'local-deploy-client',
      client_secret: env['LOCAL_TENANT_CLIENT_SECRET'] ?? 'local-deploy-secret',
    },
  };
  if (values.data) options.dataFile = values.data;
  return options;
}

async function main(): Promise<void> {
  const tenant = await startLocalTenant(parseLocalTenantArgs(process.argv.slice(2), process.env));
  console.log(`Local tenant: ${tenant.httpUrl} (browser), ${tenant.httpsUrl} (AUTH0_DOMAIN=${tenant.domain})`);
  console.log(`Certificate for NODE_EXTRA_CA_CERTS: ${tenant.caCertPath}`);
  const stop = (): void => {
    void tenant.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) void main();
