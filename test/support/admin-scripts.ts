import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient } from 'auth0';
import { loadAdminConfig, type AdminConfig } from '../../admin/admin-config';
import type { DirectInvitation } from '../../admin/invite-user';
import { connectManagement, type AdminManagement } from '../../admin/management';
import { RateGovernor } from '../../admin/rate-limit';
import { LOCAL_CLIENTS } from '../../local-tenant/local-stack';
import type { LocalTenant } from '../../local-tenant/server';
import { trustingFetch } from '../../local-tenant/test/helpers';
import type { InstalledStack } from './installed-stack';

/**
 * The administrators' scripts run in process against an installed local tenant: their
 * configuration from environments/local.json, their Management API connection over HTTPS, and
 * their SendGrid settings aimed at the tenant's stand-in.
 */

/** The governor's budget for one attempt of a Management API request: short, so a hang is past it. */
export const SCRIPT_ATTEMPT_MS = 1_000;

export interface ScriptContext {
  stack: InstalledStack;
  config: AdminConfig;
  dir: string;
}

export function scriptContext(stack: InstalledStack): ScriptContext {
  const config = loadAdminConfig({ environment: 'local', env: { AUTH0_DOMAIN: stack.tenant.domain } });
  return { stack, config, dir: mkdtempSync(join(tmpdir(), 'admin-scripts-')) };
}

/** The administrator scripts' application (its client grant's scopes only) connected to a local tenant, with a short backoff. */
export function adminManagement(tenant: LocalTenant): AdminManagement {
  return connectManagement({
    credentials: { domain: tenant.domain, clientId: LOCAL_CLIENTS.admin.client_id, clientSecret: LOCAL_CLIENTS.admin.client_secret },
    governor: new RateGovernor({ backoffMs: 20 }),
    fetch: trustingFetch(tenant),
  });
}

/**
 * The scripts' Management API connection, as `connectManagement` makes it, except for the SDK's
 * own overall timeout: auth0 v7 leaves that timer running when a request fails without an
 * answer (reset, abort), and the scripts' 3600 s would hold the test process open for an hour
 * after the suite (found here, reported). The governor bounds every attempt anyway.
 */
export function management(ctx: ScriptContext): AdminManagement {
  if (!ctx.config.management.ok) throw new Error('environments/local.json gives no Management API credentials');
  const connected = connectManagement({
    credentials: ctx.config.management.value,
    governor: new RateGovernor({ backoffMs: 50, requestTimeoutMs: SCRIPT_ATTEMPT_MS }),
    fetch: trustingFetch(ctx.stack.tenant),
  });
  const client = new ManagementClient({
    domain: connected.domain,
    token: connected.token,
    fetch: connected.fetch,
    maxRetries: 0,
    timeoutInSeconds: SDK_TIMEOUT_SECONDS,
  });
  return { ...connected, client };
}

/** Longer than any cell's wait for the rate limit, short enough to end before the suite does. */
const SDK_TIMEOUT_SECONDS = 20;

/** Ticket and SendGrid settings of the local environment, SendGrid reached over plain HTTP (in process, no CA to trust). */
export function directSettings(ctx: ScriptContext): DirectInvitation {
  const { invite, mail } = ctx.config;
  if (!invite.ticket.ok || !mail.ok) throw new Error('environments/local.json gives no ticket or SendGrid settings');
  return {
    ticket: invite.ticket.value,
    mail: { ...mail.value, baseUrl: `${ctx.stack.tenant.httpUrl}/sendgrid` },
    templates: invite.templates,
  };
}

/**
 * How long a bulk run in a test waits for the invitation Action's record. The local tenant runs
 * post-user-registration after the creation's 201, as Auth0 does, after the tests' short delay
 * (TEST_TIMINGS: 100 ms), and search shows the record 100 ms after it is written: 2 s is ample.
 */
export const LOCAL_CONFIRMATION = { settleMs: 2_000, firstCheckMs: 50 };
