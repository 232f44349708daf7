import { existsSync, readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/**
 * Trusting the local tenant's certificate (`npm start` writes its CA to dist/local-tenant/ca.pem;
 * the environment's `caCert`, LOCAL_TENANT_CA_CERT, names it) without restarting Node:
 * NODE_EXTRA_CA_CERTS is read only at startup. The CA is added to Node's own list (and to the
 * file NODE_EXTRA_CA_CERTS names), never put in its place, so a stale CA file breaks nothing.
 */
export interface AdminTransport {
  /** For the auth0 SDK and the token request. */
  fetch: typeof fetch;
  /** For @sendgrid/mail (axios). */
  httpsAgent: HttpsAgent;
}

/**
 * One context for every connection and transport trusting the same certificates: given `ca`,
 * Node parses its ~150 root certificates again for each new TLS connection or context (about 10-20
 * ms of CPU each; a bulk run opens many connections, and the tests make many transports).
 */
const contexts = new Map<string, SecureContext>();

function contextTrusting(extraPems: readonly string[]): SecureContext {
  const key = extraPems.join('\n');
  let context = contexts.get(key);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, ...extraPems] });
    contexts.set(key, context);
  }
  return context;
}

export function transportTrusting(extraPems: readonly string[], env: NodeJS.ProcessEnv = process.env): AdminTransport {
  const extraFile = env.NODE_EXTRA_CA_CERTS;
  const secureContext = contextTrusting([
    ...(extraFile !== undefined && extraFile !== '' && existsSync(extraFile) ? [readFileSync(extraFile, 'utf8')] : []),
    ...extraPems,
  ]);
  // undici (~110 modules) loads with the first transport, not with every command that may make one.
  const { Agent, fetch: undiciFetch } = require('undici') as typeof import('undici');
  const dispatcher = new Agent({ connect: { secureContext } });
  const trusted = (input: unknown, init?: unknown) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  return { fetch: trusted as unknown as typeof fetch, httpsAgent: new HttpsAgent({ secureContext, keepAlive: true }) };
}

/** A transport that trusts the CA file, when there is one; undefined otherwise (Node's defaults). */
export function transportFor(caCertPath: string | undefined, env: NodeJS.ProcessEnv = process.env): AdminTransport | undefined {
  if (caCertPath === undefined || !existsSync(caCertPath)) return undefined;
  return transportTrusting([readFileSync(caCertPath, 'utf8')], env);
}
