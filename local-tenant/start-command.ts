import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, type CommandDefinition, type CommandShell } from '../admin/cli';
import { transportTrusting } from '../admin/transport';
import { emailProviderFlag } from '../build/build-command';
import { formatBundleReport } from '../build/bundle-report';
import { buildTenantBundle, ROOT } from '../build/tenant-bundle';
import { LOCAL_APP, LOCAL_CLIENTS, startLocalStack } from './local-stack';
import { DEFAULT_TENANT_PROFILE, TENANT_PROFILE_NAMES, isTenantProfileName } from './profiles';
import { watchActions } from './watch-actions';

interface StartFlags {
  port: string;
  httpsPort: string;
  data?: string;
  quietDeploy?: boolean;
  emailProvider?: string;
  tenantProfile: string;
  rateLimits: boolean;
  watch?: boolean;
}

/**
 * `npm start`: builds the bundle, starts the local tenant (Auth0 and SendGrid stand-ins),
 * deploys dist/tenant into it with the real auth0-deploy-cli, and prints what to try next.
 * Deploying to a real tenant is a separate, explicit command (see docs/deploying.md).
 */
export const startCommand: CommandDefinition<StartFlags> = {
  name: 'npm start',
  program: () =>
    new Command('npm start --')
      .description('Run the bundle in a local stand-in for Auth0 and SendGrid.')
      .option('--port <port>', 'HTTP port for the browser (PORT)', process.env.PORT ?? '3000')
      .option('--https-port <port>', 'HTTPS port for deploy-cli and the SDKs', process.env.HTTPS_PORT ?? '3443')
      .option('--data <file>', 'keep the tenant state in this file across restarts')
      .option('--quiet-deploy', "hide auth0-deploy-cli's output")
      .option(
        '--email-provider <name>',
        'sendgrid (default), or custom: every Auth0 email goes through the custom-email-provider Action',
        process.env.EMAIL_PROVIDER,
      )
      .option(
        '--tenant-profile <name>',
        `the kind of Auth0 tenant to stand in for: ${TENANT_PROFILE_NAMES.join(', ')} (default ${DEFAULT_TENANT_PROFILE}: a free tenant created today)`,
        DEFAULT_TENANT_PROFILE,
      )
      .option('--no-rate-limits', "leave the profile's Management API rate limit off")
      .option('--watch', 'rebuild and redeploy an Action into the running tenant when its source changes (users and outbox kept)'),
  run: startLocalTenant,
};

async function startLocalTenant(options: StartFlags, shell: CommandShell): Promise<number> {
  const profile = options.tenantProfile;
  if (!isTenantProfileName(profile)) {
    return shell.usage(`--tenant-profile must be one of ${TENANT_PROFILE_NAMES.join(', ')}, not "${profile}".`);
  }
  const port = portFlag(options.port, '--port');
  const httpsPort = portFlag(options.httpsPort, '--https-port');
  if (typeof port === 'string') return shell.usage(port);
  if (typeof httpsPort === 'string') return shell.usage(httpsPort);
  const emailProvider = emailProviderFlag(options.emailProvider);
  if (!emailProvider.ok) return shell.usage(emailProvider.message);
  const bundle = await buildTenantBundle(ROOT, { emailProvider: emailProvider.value });
  console.log(formatBundleReport(bundle));
  console.log('\nStarting the local tenant...');
  const stack = await startLocalStack({
    port,
    httpsPort,
    dataFile: options.data,
    profile,
    rateLimits: options.rateLimits,
    onDeployOutput: options.quietDeploy === true ? undefined : (chunk) => process.stdout.write(chunk),
  });
  // Ctrl-C stops the tenant once the deploy under way is done; a second one exits at once.
  const signal = shell.interruptible(() => console.log('\nStopping the local tenant...'));
  const stopped = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

  // Where environments/local.json looks for the CA, so `npm run deploy -- --env local` trusts this run.
  const caCopy = join(ROOT, 'dist', 'local-tenant', 'ca.pem');
  mkdirSync(join(ROOT, 'dist', 'local-tenant'), { recursive: true });
  copyFileSync(stack.tenant.caCertPath, caCopy);

  console.log(`Deploying dist/tenant with auth0-deploy-cli to https://${stack.tenant.domain} ...`);
  const deployed = await stack.deploy();
  if (deployed.exitCode !== 0) {
    console.error('\nThe deploy failed (output above). The local tenant keeps running so you can look at it; Ctrl-C stops it.');
  }
  const { httpUrl, httpsUrl } = stack.tenant;
  const appEnv = writeExampleAppEnv(httpsUrl, caCopy);
  if (options.watch === true) startWatching(stack.tenant.domain, stack.tenant.caCertPem);
  console.log(`
Local tenant is running${options.data !== undefined ? ` (state kept in ${options.data})` : ' (state in memory)'}, as a ${profile} tenant${options.rateLimits ? ' with its rate limits' : ''}.

  Outbox, Action logs, users   ${httpUrl}/outbox
  Create a user (as an admin)  ${httpUrl}/local/users/new
  Login page                   ${httpUrl}/login?client_id=${LOCAL_APP.client_id}
  Sign-up page                 ${httpUrl}/signup?client_id=${LOCAL_APP.client_id}
  Management API (HTTPS)       ${httpsUrl}/api/v2   (AUTH0_DOMAIN=${stack.tenant.domain}, CA: ${caCopy})

Your app logs in here as it would with Auth0 (OpenID Connect; discovery at ${httpsUrl}/.well-known/openid-configuration).
Its .env, also written to ${appEnv}:
  ISSUER_BASE_URL=${httpsUrl}   (AUTH0_DOMAIN=${stack.tenant.domain})
  CLIENT_ID=${LOCAL_APP.client_id}
  CLIENT_SECRET=${LOCAL_APP.client_secret}
  Callback URL: http://localhost:4000/callback, logout URL: http://localhost:4000
  NODE_EXTRA_CA_CERTS=${caCopy}   (the CA to trust)
The example app (Auth0's express-openid-connect): \`npm run example\`, then open http://localhost:4000.

Try it:
  1. Create a user in "members" with "Invite" checked: the outbox shows Auth0's invitation email.
  2. Create two users with the same email in "shared-inbox": each gets a SendGrid invitation naming its username.
  3. Click an invitation link, set a password, then log in: the welcome email arrives, once.
  4. Sign up with a new email in "members" and log in: one verification email, however many times you log in.
  5. In another terminal, \`npm run deploy -- --env local --plan\` plans a deploy into this tenant (nothing to change).
  6. "Forgot your password?" on the "shared-inbox" login page asks for the username. Started with --email-provider custom,
     the reset goes to app_metadata.secondary_email once app_metadata.secondary_email_verified is true.

Ctrl-C stops it.`);
  await stopped;
  await stack.stop();
  return EXIT.ok;
}

/** A port number (0: any free port), or what is wrong with it. */
function portFlag(value: string, flag: string): number | string {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 && parsed <= 65_535 ? parsed : `${flag} must be a port number (0-65535), not "${value}".`;
}

/** --watch: each saved change under actions/ redeploys the Actions it touches, with the deploy application. */
function startWatching(domain: string, caPem: string): void {
  // Loaded only with --watch (admin/management.ts says why).
  const { ManagementClient } = require('auth0') as typeof import('auth0');
  const management = new ManagementClient({
    domain,
    clientId: LOCAL_CLIENTS.deploy.client_id,
    clientSecret: LOCAL_CLIENTS.deploy.client_secret,
    fetch: transportTrusting([caPem]).fetch,
    maxRetries: 3,
  });
  watchActions({
    root: ROOT,
    outDir: join(ROOT, 'dist', 'tenant'),
    management,
    onRedeploy: (report) =>
      console.log(
        report.ok
          ? `[watch] ${report.action} redeployed: the new code answers from now on (${report.ms} ms after the save).`
          : `[watch] ${report.action} not redeployed: ${report.error ?? 'unknown error'} (the tenant keeps the code it had).`,
      ),
  });
  console.log('[watch] Watching actions/ for changes.');
}

/** The example app's settings (examples/express-app), read by `npm run example`. */
function writeExampleAppEnv(issuer: string, caPath: string): string {
  const file = join(ROOT, 'dist', 'local-tenant', 'app.env');
  const values = {
    ISSUER_BASE_URL: issuer,
    BASE_URL: 'http://localhost:4000',
    CLIENT_ID: LOCAL_APP.client_id,
    CLIENT_SECRET: LOCAL_APP.client_secret,
    // The app's own session cookie key; made anew for each run of the local tenant.
    SECRET: randomBytes(24).toString('base64url'),
    NODE_EXTRA_CA_CERTS: caPath,
  };
  writeFileSync(
    file,
    Object.entries(values)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
    { mode: 0o600 },
  );
  return file;
}
