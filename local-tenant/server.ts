import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { AccessTokenRegistry, managementAudience } from './authentication-api/access-tokens';
import { registerAuthenticationApi } from './authentication-api';
import type { TenantContext, TenantUrls } from './context';
import { createOutboxApp, createSendgridApp } from './mail';
import { localhostCertificate } from './certificate';
import { outboxPageExtras } from './pages/outbox-extras';
import { FaultInjector, isInjectedConnectionReset, registerFaultControl } from './faults';
import { RequestLog } from './faults/request-log';
import { registerPages } from './pages';
import { registerUserForms } from './pages/user-forms';
import { DeferredWork } from './deferred-work';
import { createManagementApi } from './management-api';
import { createOidcRuntime, registerOidc } from './oidc';
import { registerExportDownloads } from './management-api/jobs';
import { ApiError, errorResponse } from './management-api/errors';
import { KNOWN_MANAGEMENT_SCOPES } from './management-api/scopes';
import type { TenantHooks } from './state/hooks';
import { TenantStore } from './state/store';
import { tenantProfile, type TenantProfile, type TenantProfileName, type TenantTimings } from './profiles';

export type { TenantHooks, LoginContext, LoginOutcome } from './state/hooks';
export type { TenantUrls } from './context';
export { TenantStore } from './state/store';

/** A machine-to-machine application the tenant is started with, and its Management API grant. */
export interface MachineClient {
  client_id: string;
  client_secret: string;
  name?: string;
  /** The scopes of its client grant for the Management API; every scope the tenant knows when unset. */
  scopes?: readonly string[];
}

/** The application deploy-cli uses (it cannot be deleted through the API). */
export type BootstrapClient = MachineClient;

/** What the hooks factory receives: enough to read and write the tenant and call its API in process. */
export interface LocalTenantRuntime {
  store: TenantStore;
  app: Hono;
  urls: TenantUrls;
  /** The SendGrid stand-in, which the Actions runtime serves as https://api.sendgrid.com. */
  sendgridApp: Hono;
  /** The tenant's kind and timings (the Actions runtime reads `actionNetworkLatencyMs`). */
  profile: TenantProfile;
}

export interface LocalTenantOptions {
  /** Plain HTTP port for browsers; 0 picks a free port. */
  port: number;
  /** HTTPS port for deploy-cli and the SDK; 0 or unset picks a free port. */
  httpsPort?: number | undefined;
  /** Persist the state in this JSON file (atomic writes); loaded at start when it exists. */
  dataFile?: string | undefined;
  /** Machine-to-machine application that deploy-cli uses; created or updated at start, with its grant. */
  bootstrapClient: BootstrapClient;
  /** Further machine-to-machine applications (the Actions', the scripts'), each with exactly its grant. */
  machineClients?: readonly MachineClient[];
  /** Trigger hooks (the Actions runtime), or a factory that receives the tenant first. */
  hooks?: TenantHooks | ((runtime: LocalTenantRuntime) => TenantHooks);
  /** API keys the SendGrid stand-in accepts (`Authorization: Bearer <key>`). */
  sendgridApiKeys?: readonly string[];
  /** Host name in the URLs; `localhost` by default. */
  hostname?: string;
  /** The kind of Auth0 tenant to stand in for; `free` (created today, the strictest common case) by default. */
  profile?: TenantProfileName | undefined;
  /** Shorter timings than the profile's realistic ones (tests); asynchrony stays on. */
  timings?: Partial<TenantTimings> | undefined;
  /** Enforce the profile's Management API rate limit from the start (`npm start` does; tests choose). */
  rateLimits?: boolean | undefined;
}

export interface LocalTenant {
  httpsUrl: string;
  httpUrl: string;
  /** `localhost:<httpsPort>`, for AUTH0_DOMAIN and the SDK's `domain`. */
  domain: string;
  /** PEM file of the generated self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caCertPath: string;
  /** PEM text of the same certificate, for an undici Agent `connect: { ca }`. */
  caCertPem: string;
  app: Hono;
  /** The SendGrid stand-in, to be served as https://api.sendgrid.com (by in-process interception). */
  sendgridApp: Hono;
  store: TenantStore;
  profile: TenantProfile;
  /** Work after answers (post-user-registration): `await tenant.deferred.settled()` waits for it. */
  deferred: DeferredWork;
  requestLog: RequestLog;
  /** Injected failures and rate limits (also reachable over HTTP at /__local/faults). */
  faults: FaultInjector;
  stop(): Promise<void>;
}

export async function startLocalTenant(options: LocalTenantOptions): Promise<LocalTenant> {
  const hostname = options.hostname ?? 'localhost';
  const profile = tenantProfile(options.profile, options.timings);
  const store = new TenantStore({
    ...(options.dataFile ? { dataFile: options.dataFile } : {}),
    searchIndexLagMs: profile.timings.searchIndexLagMs,
  });
  const machineClients = [options.bootstrapClient, ...(options.machineClients ?? [])];
  for (const client of machineClients) store.ensureMachineClient(client);

  const urls: TenantUrls = { domain: '', httpsUrl: '', httpUrl: '', publicUrl: '' };
  const deferred = new DeferredWork();
  const ctx: TenantContext = {
    profile,
    deferred,
    store,
    tokens: new AccessTokenRegistry(),
    oidc: createOidcRuntime(),
    hooks: {},
    urls,
    bootstrapClientId: options.bootstrapClient.client_id,
  };
  const requestLog = new RequestLog();
  const faults = new FaultInjector();
  if (options.rateLimits === true) faults.setRateLimitTier(profile.rateLimit);
  const app = createLocalTenantApp(ctx, requestLog, faults);
  const sendgridStandIn = createSendgridApp({ outbox: store.outbox, apiKeys: options.sendgridApiKeys ?? [] });
  const sendgridApp = withFaults(sendgridStandIn, faults);
  // Also over HTTP(S) at /sendgrid, for programs outside this process (the admin scripts set
  // SendGrid's base URL to https://<domain>/sendgrid); faults there match `POST /sendgrid/v3/mail/send`.
  app.route('/sendgrid', sendgridStandIn);
  ctx.hooks = typeof options.hooks === 'function' ? options.hooks({ store, app, urls, sendgridApp, profile }) : (options.hooks ?? {});

  const pems = await localhostCertificate();
  const certDir = mkdtempSync(join(tmpdir(), 'local-tenant-cert-'));
  const caCertPath = join(certDir, 'local-tenant-ca.pem');
  writeFileSync(caCertPath, pems.cert);

  const httpsServer = createAdaptorServer({
    fetch: app.fetch,
    createServer: createHttpsServer,
    serverOptions: { key: pems.private, cert: pems.cert },
  });
  const httpServer = createAdaptorServer({ fetch: app.fetch });
  const httpsPort = await listen(httpsServer, options.httpsPort ?? 0);
  const httpPort = await listen(httpServer, options.port);

  urls.domain = `${hostname}:${httpsPort}`;
  urls.httpsUrl = `https://${hostname}:${httpsPort}`;
  urls.httpUrl = `http://${hostname}:${httpPort}`;
  urls.publicUrl = urls.httpUrl;
  // Grants name the audience, which names the port: set once it is known (again at each start).
  for (const client of machineClients) {
    store.setClientGrant(client.client_id, managementAudience(urls.domain), client.scopes ?? KNOWN_MANAGEMENT_SCOPES);
  }

  return {
    httpsUrl: urls.httpsUrl,
    httpUrl: urls.httpUrl,
    domain: urls.domain,
    caCertPath,
    caCertPem: pems.cert,
    app,
    sendgridApp,
    store,
    profile,
    deferred,
    requestLog,
    faults,
    async stop() {
      faults.releaseHanging();
      await deferred.stop();
      await Promise.all([close(httpsServer), close(httpServer)]);
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}

/** The whole tenant as one Hono app, callable in process with `app.fetch(request)`. */
function createLocalTenantApp(ctx: TenantContext, requestLog: RequestLog, faults: FaultInjector): Hono {
  const app = new Hono();
  app.use('*', requestLog.middleware());
  app.use('*', faults.middleware());
  app.onError((error, c) => {
    if (isInjectedConnectionReset(error)) throw error; // app.fetch rejects, as over a dropped connection
    if (error instanceof ApiError) return errorResponse(c, error);
    // Never echo internals (they may contain user data); log the kind only.
    console.error(`[local-tenant] ${c.req.method} ${c.req.path} failed: ${error.name}`);
    return errorResponse(c, new ApiError(500, 'Internal error', 'internal_error'));
  });

  app.get('/__local/requests', (c) => c.json(requestLog.list()));
  app.delete('/__local/requests', (c) => {
    requestLog.clear();
    return c.body(null, 204);
  });

  registerFaultControl(app, faults);
  registerAuthenticationApi(app, ctx);
  registerOidc(app, ctx);
  app.route('/api/v2', createManagementApi(ctx));
  registerExportDownloads(app, ctx);
  registerPages(app, ctx);
  registerUserForms(app, ctx);
  app.route('/', createOutboxApp({ outbox: ctx.store.outbox, pageExtras: () => outboxPageExtras(ctx) }));
  return app;
}

/**
 * The SendGrid stand-in behind the same fault injector as the tenant (`POST /v3/mail/send` is a
 * route like any other: `{ route: 'POST /v3/mail/send', kind: '503' }`).
 */
function withFaults(sendgrid: Hono, faults: FaultInjector): Hono {
  const app = new Hono();
  app.use('*', faults.middleware());
  app.onError((error, c) => {
    if (isInjectedConnectionReset(error)) throw error;
    console.error(`[local-tenant] SendGrid ${c.req.method} ${c.req.path} failed: ${error.name}`);
    return c.json({ errors: [{ message: 'Internal error', field: null, help: null }] }, 500);
  });
  app.route('/', sendgrid);
  return app;
}

async function listen(server: ServerType, port: number): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function close(server: ServerType): Promise<void> {
  // Keep-alive sockets from fetch would hold close() open; drop them.
  if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
