import { ManagementClient } from 'auth0';
import { readFileSync } from 'node:fs';
import type { DeployTarget } from '../build/environments';

/**
 * The Management API client the deploy reads the tenant with, before deploy-cli writes
 * anything. Same deploy application as deploy-cli. A tenant with its own CA (the local tenant)
 * is trusted through an undici Agent: NODE_EXTRA_CA_CERTS is only read when Node starts.
 */
export function deployManagementClient(target: DeployTarget): ManagementClient {
  return new ManagementClient({
    domain: target.domain,
    clientId: target.clientId,
    clientSecret: target.clientSecret,
    maxRetries: 3,
    timeoutInSeconds: 30,
    ...(target.caCertPath !== undefined ? { fetch: fetchTrusting(readFileSync(target.caCertPath, 'utf8')) } : {}),
  });
}

function fetchTrusting(caPem: string): typeof fetch {
  // undici is what Node's own fetch is built on; loaded only for a tenant with its own CA.
  const { Agent, fetch: undiciFetch } = require('undici') as typeof import('undici');
  const dispatcher = new Agent({ connect: { ca: caPem } });
  const trusted = (input: unknown, init?: unknown) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  return trusted as unknown as typeof fetch;
}
