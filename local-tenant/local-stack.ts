import { join } from 'node:path';
import { environmentNames, loadEnvironment, resolveKeywords } from '../build/environments';
import { runDeployCli, type DeployCliResult } from '../deploy/deploy-cli';
import { applicationScopes, type ApplicationName } from '../deploy/application-scopes';
import type { LocalTenant, MachineClient } from './server';
import type { TenantProfileName, TenantTimings } from './profiles';

/**
 * The local tenant with the Actions runtime, and the project's bundle deployed into it with the
 * real auth0-deploy-cli: what `npm start` runs and what the end-to-end tests drive.
 */

const ROOT = join(__dirname, '..');

/**
 * The local tenant's machine-to-machine applications, one per role as on a real tenant, each
 * granted exactly the Management API scopes its role uses (deploy/application-scopes.ts), so
 * that nothing passes here by holding more than a real tenant would grant. Their ids and
 * secrets are those of environments/local.json.
 */
export const LOCAL_CLIENTS = {
  deploy: {
    client_id: 'local-deploy-client',
    client_secret: 'local-deploy-secret',
    name: 'Local deploy (auth0-deploy-cli)',
    scopes: applicationScopes('deploy'),
  },
  actions: {
    client_id: 'local-actions-client',
    client_secret: 'local-actions-secret',
    name: 'Local Actions',
    scopes: applicationScopes('actions'),
  },
  admin: {
    client_id: 'local-admin-client',
    client_secret: 'local-admin-secret',
    name: 'Local administrator scripts',
    scopes: applicationScopes('admin'),
  },
} as const satisfies Record<ApplicationName, MachineClient>;
/**
 * The login application of tenant/clients, created ahead so that INVITE_CLIENT_ID is known before
 * the first deploy. Its secret is a local stand-in, for the example app (examples/express-app).
 */
export const LOCAL_APP = { client_id: 'local-email-flows-app', client_secret: 'local-email-flows-app-secret', name: 'Email Flows App' };
/** The second application of tenant/clients (its own emails, docs/per-application-emails.md), created ahead like the first. */
export const LOCAL_PARTNER_APP = {
  client_id: 'local-partner-portal',
  client_secret: 'local-partner-portal-secret',
  name: 'Partner Portal',
};
export const LOCAL_SENDGRID_KEY = 'SG.local-sendgrid-key';

interface LocalStackOptions {
  port: number;
  httpsPort?: number | undefined;
  dataFile?: string | undefined;
  /** The deploy-cli directory to deploy; dist/tenant by default (run `npm run build` first). */
  tenantDir?: string | undefined;
  triggerTimeoutMs?: number | undefined;
  /** Delays before Auth0's retries of an email the custom-email-provider Action asked to retry. */
  emailRetryDelaysMs?: readonly number[] | undefined;
  onDeployOutput?: ((chunk: string) => void) | undefined;
  /** The kind of Auth0 tenant (`free`, created today, by default), its timings, and whether its rate limit is on. */
  profile?: TenantProfileName | undefined;
  timings?: Partial<TenantTimings> | undefined;
  rateLimits?: boolean | undefined;
}

export interface LocalStack {
  tenant: LocalTenant;
  /** Runs `a0deploy import` of the tenant directory again. */
  deploy(): Promise<DeployCliResult>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // The tenant and its Actions runtime load when one starts, not with the clients and keys above
  // (`npm start -- --help` and its usage errors read those, and need no server).
  const { startLocalTenant } = require('./server') as typeof import('./server');
  const { createActionsRuntime } = require('./actions-runtime/trigger-runner') as typeof import('./actions-runtime/trigger-runner');
  let dispose = () => {};
  const tenant = await startLocalTenant({
    port: options.port,
    httpsPort: options.httpsPort,
    dataFile: options.dataFile,
    bootstrapClient: LOCAL_CLIENTS.deploy,
    machineClients: [LOCAL_CLIENTS.actions, LOCAL_CLIENTS.admin],
    sendgridApiKeys: [LOCAL_SENDGRID_KEY],
    profile: options.profile,
    timings: options.timings,
    rateLimits: options.rateLimits,
    hooks: (runtime) => {
      const hooks = createActionsRuntime(runtime, {
        triggerTimeoutMs: options.triggerTimeoutMs,
        emailRetryDelaysMs: options.emailRetryDelaysMs,
      });
      dispose = hooks.dispose;
      return hooks;
    },
  });
  ensureApplications(tenant);
  const deploy = () =>
    runDeployCli({
      inputDir: options.tenantDir ?? join(ROOT, 'dist', 'tenant'),
      domain: tenant.domain,
      clientId: LOCAL_CLIENTS.deploy.client_id,
      clientSecret: LOCAL_CLIENTS.deploy.client_secret,
      keywords: localKeywords(tenant),
      caCertPath: tenant.caCertPath,
      onOutput: options.onDeployOutput,
    });
  return {
    tenant,
    deploy,
    async stop() {
      dispose();
      await tenant.stop();
    },
  };
}

/** environments/local.json with the URLs of this run of the local tenant. */
export function localKeywords(tenant: LocalTenant): Record<string, string | string[]> {
  if (!environmentNames().includes('local')) throw new Error('environments/local.json is missing');
  const loginUrl = `${tenant.httpUrl}/login?client_id=${LOCAL_APP.client_id}`;
  const partnerLoginUrl = `${tenant.httpUrl}/login?client_id=${LOCAL_PARTNER_APP.client_id}`;
  const { values, missing } = resolveKeywords(loadEnvironment('local'), {
    AUTH0_DOMAIN: tenant.domain,
    ACTIONS_CLIENT_ID: LOCAL_CLIENTS.actions.client_id,
    ACTIONS_CLIENT_SECRET: LOCAL_CLIENTS.actions.client_secret,
    INVITE_CLIENT_ID: LOCAL_APP.client_id,
    SENDGRID_API_KEY: LOCAL_SENDGRID_KEY,
    APP_LOGIN_URL: loginUrl,
    APP_VERIFY_RESULT_URL: loginUrl,
    VERIFY_RESULT_URL: loginUrl,
    RESET_RESULT_URL: loginUrl,
    INVITE_RESULT_URL: loginUrl,
    PARTNER_LOGIN_URL: partnerLoginUrl,
    PARTNER_VERIFY_RESULT_URL: partnerLoginUrl,
    PARTNER_RESET_RESULT_URL: partnerLoginUrl,
  });
  if (missing.length > 0) throw new Error(`environments/local.json leaves keywords without a value: ${missing.join(', ')}`);
  return values;
}

/**
 * The applications of tenant/clients exist before the first deploy (the deploy application has
 * no create:clients, docs/scopes.md), with the client ids environments/local.json names.
 */
export function ensureApplications(tenant: LocalTenant): void {
  for (const app of [LOCAL_APP, LOCAL_PARTNER_APP]) {
    if (tenant.store.findClient(app.client_id)) continue;
    tenant.store.add('clients', {
      client_id: app.client_id,
      client_secret: app.client_secret,
      name: app.name,
      app_type: 'regular_web',
      callbacks: [],
      client_metadata: {},
    });
  }
}
