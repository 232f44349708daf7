import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTenantBundle, ROOT } from '../../build/tenant-bundle';
import { deploy, DeployFailed, DeployRefused } from '../../deploy/deploy';
import type { DeploySummary } from '../../deploy/summary';
import type { LoggedRequest } from '../../local-tenant/faults/request-log';
import { LOCAL_CLIENTS, ensureApplications } from '../../local-tenant/local-stack';
import { startLocalTenant, type LocalTenant } from '../../local-tenant/server';
import { TEST_TIMINGS } from '../../local-tenant/test/helpers';

/**
 * `npm run deploy`'s library (`deploy()`: checks, read-only tenant checks, deploy-cli's dry run,
 * the import, the summary) against a fresh local tenant per cell, with the real auth0-deploy-cli.
 */

interface DeployRun {
  outcome: 'deployed' | 'refused' | 'failed' | 'error';
  message: string;
  summary?: DeploySummary;
  requests: LoggedRequest[];
  elapsedMs: number;
}

export async function buildBundle(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fault-matrix-deploy-'));
  await buildTenantBundle(ROOT, { outDir: dir });
  return dir;
}

/** A new tenant with the applications of tenant/clients already there (as `npm start` makes it), for one deploy. */
export async function freshTenant(): Promise<LocalTenant> {
  const tenant = await startLocalTenant({ port: 0, bootstrapClient: LOCAL_CLIENTS.deploy, timings: TEST_TIMINGS });
  ensureApplications(tenant);
  return tenant;
}

export async function runDeploy(tenant: LocalTenant, bundleDir: string): Promise<DeployRun> {
  const started = Date.now();
  const env = { AUTH0_DOMAIN: tenant.domain, LOCAL_TENANT_CA_CERT: tenant.caCertPath };
  try {
    const result = await deploy({ environment: 'local', bundleDir, env });
    const summary = result.summary;
    return {
      outcome: 'deployed',
      message: 'deployed',
      ...(summary ? { summary } : {}),
      requests: tenant.requestLog.list(),
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    const base = { message: (error as Error).message, requests: tenant.requestLog.list(), elapsedMs: Date.now() - started };
    if (error instanceof DeployRefused) return { outcome: 'refused', ...base };
    if (error instanceof DeployFailed) return { outcome: 'failed', summary: error.summary, ...base };
    return { outcome: 'error', ...base };
  }
}

/** The deploy-cli resource type a Management API write changes. */
function resourceTypeOf(path: string): string | undefined {
  if (path.startsWith('/api/v2/clients')) return 'clients';
  if (/^\/api\/v2\/actions\/triggers\/[^/]+\/bindings/.test(path)) return 'triggers';
  if (path.startsWith('/api/v2/actions/actions')) return 'actions';
  if (path.startsWith('/api/v2/connections')) return 'databases';
  if (path.startsWith('/api/v2/emails/provider')) return 'emailProvider';
  if (path.startsWith('/api/v2/email-templates')) return 'emailTemplates';
  if (path.startsWith('/api/v2/tenants/settings')) return 'tenant';
  return undefined;
}

/** Writing requests to the Management API (a token request changes nothing). */
export function writesOf(requests: readonly LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => r.method !== 'GET' && r.path.startsWith('/api/v2/'));
}

/**
 * Does the summary say what was applied? Every resource type the tenant accepted a write for
 * must be reported as created, changed or sent again; every type reported so must have had one.
 */
export function summaryProblems(summary: DeploySummary, requests: readonly LoggedRequest[]): string[] {
  const accepted = new Map<string, string>();
  for (const r of writesOf(requests)) {
    const type = resourceTypeOf(r.path);
    if (type !== undefined && r.status >= 200 && r.status < 300 && !accepted.has(type))
      accepted.set(type, `${r.method} ${r.path} ${r.status}`);
  }
  const reported = new Set([...summary.created, ...summary.changed, ...summary.resent].map((r) => r.type));
  const problems: string[] = [];
  for (const [type, write] of accepted) if (!reported.has(type)) problems.push(`${type} written (${write}) but not reported as applied`);
  for (const type of reported) if (!accepted.has(type)) problems.push(`${type} reported as applied without an accepted write`);
  return problems;
}
