import type { ManagementClient } from 'auth0';
import { readFileSync } from 'node:fs';
import type { DeployTarget } from '../build/environments';
import { transportTrusting } from '../admin/transport';

/**
 * The Management API client the deploy reads the tenant with, before deploy-cli writes
 * anything. Same deploy application as deploy-cli. A tenant with its own CA (the local tenant)
 * is trusted the way the admin scripts trust it: the CA added to Node's, as NODE_EXTRA_CA_CERTS
 * does (only read when Node starts). A missing CA file is an error here, not a silent fallback.
 */
export function deployManagementClient(target: DeployTarget): ManagementClient {
  // Loaded when a deploy reads the tenant, not with the deploy command (admin/management.ts says why).
  const { ManagementClient: Client } = require('auth0') as typeof import('auth0');
  return new Client({
    domain: target.domain,
    clientId: target.clientId,
    clientSecret: target.clientSecret,
    maxRetries: 3,
    timeoutInSeconds: 30,
    ...(target.caCertPath !== undefined ? { fetch: transportTrusting([readFileSync(target.caCertPath, 'utf8')]).fetch } : {}),
  });
}
