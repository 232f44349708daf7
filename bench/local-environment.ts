import { loadEnvironment, type KeywordSource } from '../build/environments';
import type { LocalStack } from '../local-tenant/local-stack';

/** What only the admin scripts read from the process environment (see admin/admin-config.ts). */
const ADMIN_VARIABLES = [
  'ADMIN_ENV',
  'ADMIN_CLIENT_ID',
  'ADMIN_CLIENT_SECRET',
  'SENDGRID_BASE_URL',
  'PASSWORD_RESET_TEMPLATE_ID',
  'PASSWORD_RESET_TTL_SEC',
];

function variableOf(source: KeywordSource | undefined): string[] {
  return typeof source === 'object' && source !== null && !Array.isArray(source) ? [source.env] : [];
}

/**
 * The process environment for `environments/local.json` pointed at this run of the local
 * tenant: every variable the description reads is dropped first (a developer's shell may hold
 * another tenant's values), so each keyword takes the local default, then the domain and the CA
 * of this run are set.
 */
export function localTenantEnvironment(stack: LocalStack): NodeJS.ProcessEnv {
  const description = loadEnvironment('local');
  const env: NodeJS.ProcessEnv = { ...process.env };
  const read = [
    ...variableOf(description.domain),
    ...variableOf(description.caCert),
    ...variableOf(description.credentials?.clientId),
    ...variableOf(description.credentials?.clientSecret),
    ...Object.values(description.keywords).flatMap(variableOf),
    ...ADMIN_VARIABLES,
  ];
  for (const name of read) delete env[name];
  // The admin scripts (child processes) trust the tenant's CA through NODE_EXTRA_CA_CERTS; the deploy through LOCAL_TENANT_CA_CERT.
  return {
    ...env,
    AUTH0_DOMAIN: stack.tenant.domain,
    LOCAL_TENANT_CA_CERT: stack.tenant.caCertPath,
    NODE_EXTRA_CA_CERTS: stack.tenant.caCertPath,
  };
}
