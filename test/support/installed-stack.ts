import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keywordReplace } from 'auth0-deploy-cli/lib/tools/utils';
import { createActionsRuntime, type ActionsRuntime } from '../../local-tenant/actions-runtime/trigger-runner';
import {
  LOCAL_APP,
  LOCAL_CLIENTS,
  LOCAL_PARTNER_APP,
  LOCAL_SENDGRID_KEY,
  localKeywords,
  type LocalStack,
} from '../../local-tenant/local-stack';
import type { OutboxEmail } from '../../local-tenant/mail';
import type { TenantTimings } from '../../local-tenant/profiles';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/server';
import type {
  ActionDependency,
  ClientRecord,
  ConnectionRecord,
  EmailProviderRecord,
  EmailTemplateRecord,
  JsonObject,
} from '../../local-tenant/state/types';
import { LocalStackClient } from './local-stack-client';
import { TEST_TIMINGS } from '../../local-tenant/test/helpers';

/**
 * The local tenant with its Actions runtime and `dist/tenant` (run `npm run build` first)
 * installed straight into its state: the same files, keywords resolved as deploy-cli resolves
 * them (`##KEY##` literal, `@@KEY@@` JSON), in well under a second instead of a ~15 s
 * `a0deploy import`. The end-to-end tests cover the real import; this is for suites that run
 * many flows (the fault matrix, the security checks).
 */

const DIST_TENANT = join(__dirname, '..', '..', 'dist', 'tenant');

interface InstalledStackOptions {
  /** Action secrets that differ from environments/local.json (both Actions), e.g. `INVITE_CONNECTIONS`. */
  secrets?: Record<string, string>;
  triggerTimeoutMs?: number;
  /** `execution`: every Action execution gets an empty api.cache, as on different Auth0 instances. */
  cacheScope?: 'trigger' | 'execution';
  /** Timings other than TEST_TIMINGS (e.g. a realistic `actionNetworkLatencyMs`). */
  timings?: Partial<TenantTimings>;
}

export interface InstalledStack {
  tenant: LocalTenant;
  runtime: ActionsRuntime;
  /** The real `auth0` SDK over HTTPS, logins and the outbox over HTTP. */
  client: LocalStackClient;
  /** Emails the outbox holds for one address (Auth0's and SendGrid's). */
  emailsTo(address: string): OutboxEmail[];
  /** The console lines of every Action execution so far, in order. */
  actionLogs(): string[];
  stop(): Promise<void>;
}

export async function startInstalledStack(options: InstalledStackOptions = {}): Promise<InstalledStack> {
  let runtime: ActionsRuntime | undefined;
  const tenant = await startLocalTenant({
    port: 0,
    bootstrapClient: LOCAL_CLIENTS.deploy,
    machineClients: [LOCAL_CLIENTS.actions, LOCAL_CLIENTS.admin],
    sendgridApiKeys: [LOCAL_SENDGRID_KEY],
    timings: { ...TEST_TIMINGS, ...options.timings },
    hooks: (rt) => (runtime = createActionsRuntime(rt, { triggerTimeoutMs: options.triggerTimeoutMs, cacheScope: options.cacheScope })),
  });
  try {
    if (runtime === undefined) throw new Error('the Actions runtime was not created');
    installDistTenant(tenant, { ...localKeywords(tenant), ...(options.secrets ?? {}) });
  } catch (error) {
    runtime?.dispose();
    await tenant.stop();
    throw error;
  }
  const stack: LocalStack = {
    tenant,
    deploy: () => Promise.reject(new Error('installed directly: no deploy-cli here')),
    stop: () => tenant.stop(),
  };
  const installedRuntime = runtime;
  return {
    tenant,
    runtime: installedRuntime,
    client: new LocalStackClient(stack),
    emailsTo: (address) => tenant.store.outbox.list({ to: address }),
    actionLogs: () => tenant.store.data.action_executions.flatMap((execution) => execution.results.flatMap((result) => result.logs)),
    async stop() {
      installedRuntime.dispose();
      await tenant.stop();
    },
  };
}

/** deploy-cli's own keyword replacement (`@@KEY@@`, quoted or not, becomes the JSON of the value; `##KEY##` the value). */
function replaceKeywords(text: string, keywords: Record<string, string | string[]>): string {
  return keywordReplace(text, keywords);
}

function readJson(path: string, keywords: Record<string, string | string[]>): JsonObject {
  return JSON.parse(replaceKeywords(readFileSync(path, 'utf8'), keywords)) as JsonObject;
}

/** A text field of a bundle file; `npm run build` writes them all, so anything else is a build bug. */
function textField(config: JsonObject, key: string, file: string): string {
  const value = config[key];
  if (typeof value !== 'string') throw new Error(`${file}: "${key}" is not a string`);
  return value;
}

function installDistTenant(tenant: LocalTenant, keywords: Record<string, string | string[]>): void {
  const { store } = tenant;
  const now = new Date().toISOString();

  const tenantSettings = readJson(join(DIST_TENANT, 'tenant.json'), keywords);
  store.setTenantSettings({ ...store.data.tenant, ...tenantSettings });

  // The applications keep the client ids environments/local.json names (INVITE_CLIENT_ID, PARTNER_LOGIN_URL).
  const clientIds = new Map<string, string>();
  for (const file of readdirSync(join(DIST_TENANT, 'clients'))) {
    const config = readJson(join(DIST_TENANT, 'clients', file), keywords);
    const name = textField(config, 'name', file);
    const known = [LOCAL_APP, LOCAL_PARTNER_APP].find((app) => app.name === name);
    const clientId = known?.client_id ?? `client-${clientIds.size + 1}`;
    clientIds.set(name, clientId);
    const client: ClientRecord = { ...config, name, client_id: clientId, client_secret: `${clientId}-secret` };
    store.add('clients', client);
  }

  for (const name of readdirSync(join(DIST_TENANT, 'database-connections'))) {
    const file = join(name, 'database.json');
    const config = readJson(join(DIST_TENANT, 'database-connections', file), keywords);
    const enabled = Array.isArray(config.enabled_clients) ? config.enabled_clients.filter((client) => typeof client === 'string') : [];
    const connection: ConnectionRecord = {
      ...config,
      id: `con_${name}`,
      name: textField(config, 'name', file),
      strategy: textField(config, 'strategy', file),
      options: (config.options ?? {}) as JsonObject,
      enabled_clients: enabled.map((client) => clientIds.get(client) ?? client),
    };
    store.add('connections', connection);
  }

  const emails = join(DIST_TENANT, 'emails');
  for (const file of readdirSync(emails).filter((f) => f.endsWith('.json'))) {
    const config = readJson(join(emails, file), keywords);
    if (file === 'provider.json') {
      store.setEmailProvider({ settings: {}, ...config } as EmailProviderRecord);
      continue;
    }
    const body = replaceKeywords(readFileSync(join(emails, textField(config, 'body', file)), 'utf8'), keywords);
    store.add('email_templates', { ...config, body } as EmailTemplateRecord);
  }

  const actionIds = new Map<string, string>();
  for (const file of readdirSync(join(DIST_TENANT, 'actions')).filter((f) => f.endsWith('.json'))) {
    const config = readJson(join(DIST_TENANT, 'actions', file), keywords);
    const name = textField(config, 'name', file);
    const code = readFileSync(join(DIST_TENANT, textField(config, 'code', file)), 'utf8');
    const secrets = (config.secrets as { name: string; value: string }[]).map((s) => ({ ...s, updated_at: now }));
    const version = {
      id: `ver_${name}`,
      action_id: `act_${name}`,
      number: 1,
      code,
      runtime: textField(config, 'runtime', file),
      dependencies: config.dependencies as unknown as ActionDependency[],
      secrets,
      supported_triggers: config.supported_triggers as unknown as { id: string; version: string }[],
      deployed: true,
      status: 'built' as const,
      created_at: now,
      updated_at: now,
    };
    store.add('action_versions', version);
    store.add('actions', {
      ...version,
      id: version.action_id,
      name,
      built_at: now,
      deployed_version_id: version.id,
      all_changes_deployed: true,
    });
    actionIds.set(name, version.action_id);
  }

  const triggers = readJson(join(DIST_TENANT, 'triggers', 'triggers.json'), keywords) as Record<string, { action_name: string }[]>;
  for (const [triggerId, bindings] of Object.entries(triggers)) {
    const records = bindings.map((binding) => {
      const actionId = actionIds.get(binding.action_name);
      if (actionId === undefined) throw new Error(`triggers.json binds ${binding.action_name}, which dist/tenant does not hold`);
      return {
        id: `bind_${triggerId}_${binding.action_name}`,
        trigger_id: triggerId,
        action_id: actionId,
        display_name: binding.action_name,
        created_at: now,
        updated_at: now,
      };
    });
    store.replaceTriggerBindings(triggerId, records);
  }
}
