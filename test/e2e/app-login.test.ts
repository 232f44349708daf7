/**
 * Your own app logs in against the local tenant: the example app (examples/express-app, Auth0's
 * express-openid-connect, unmodified) started as `npm run example` starts it, driven by headless
 * Chromium through sign-up, logout and login; and openid-client's refresh-token exchanges. The
 * installed verify-and-welcome Action runs on each login and sends one verification email in all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { custom, generators, Issuer } from 'openid-client';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { LOCAL_APP } from '../../local-tenant/local-stack';
import { formLogin, trustingFetch } from '../../local-tenant/test/helpers';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';
import type { LocalStackClient } from '../support/local-stack-client';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const PASSWORD = 'a-Strong-passw0rd-here';
/** An API of the developer's, which the example app asks an access token for (AUTH0_AUDIENCE). */
const API = 'https://api.example.com/notes';

let stack: InstalledStack;
let client: LocalStackClient;
let browser: Browser;
let app: ChildProcess | undefined;
let appUrl: string;
let workDir: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the example app as `npm run example` does (examples/express-app/start.js), with this run's values. */
async function startExampleApp(): Promise<void> {
  const port = await freePort();
  appUrl = `http://localhost:${port}`;
  workDir = mkdtempSync(join(tmpdir(), 'example-app-'));
  const envFile = join(workDir, 'app.env');
  const values = {
    ISSUER_BASE_URL: stack.tenant.httpsUrl,
    BASE_URL: appUrl,
    CLIENT_ID: LOCAL_APP.client_id,
    CLIENT_SECRET: LOCAL_APP.client_secret,
    SECRET: 'a-long-enough-session-secret-for-tests',
    NODE_EXTRA_CA_CERTS: stack.tenant.caCertPath,
    AUTH0_AUDIENCE: API,
  };
  writeFileSync(
    envFile,
    Object.entries(values)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  const started = spawn(process.execPath, [join(ROOT, 'examples', 'express-app', 'start.js'), envFile], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app = started;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example app did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Example app on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    started.stdout?.on('data', onData);
    started.stderr?.on('data', onData);
    started.on('exit', (code) => reject(new Error(`the example app exited (${code}):\n${output}`)));
  });
}

beforeAll(async () => {
  // The built bundle installed straight into the tenant: the login is what this file tests (the
  // real deploy-cli import is tested by email-flows.test.ts).
  stack = await startInstalledStack();
  client = stack.client;
  await client.management.resourceServers.create({
    name: 'Notes API',
    identifier: API,
    scopes: [{ value: 'read:notes', description: 'Read notes' }],
  });
  await startExampleApp();
  // As an administrator would in the dashboard: this run's app URL is an allowed callback and logout URL.
  await client.management.clients.update(LOCAL_APP.client_id, {
    callbacks: [`${appUrl}/callback`],
    allowed_logout_urls: [appUrl],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  browser = await launchChromium();
});

afterAll(async () => {
  app?.kill();
  await browser?.close();
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

it('signs up, logs out and logs in again through /authorize; one verification email in all', async () => {
  const email = 'newcomer@example.com';
  // The tenant's certificate is its own (its CA is what NODE_EXTRA_CA_CERTS trusts for the app).
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();

  await page.goto(`${appUrl}/signup`);
  await page.waitForSelector('form#signup');
  expect(new URL(page.url()).origin).toBe(stack.tenant.httpsUrl);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form#signup button');
  await page.waitForSelector('#who');
  expect(await page.textContent('#who')).toBe(`Logged in as ${email} (email not verified).`);

  const afterSignup = await client.outbox(email);
  expect(afterSignup.map((e) => e.source)).toEqual([expect.objectContaining({ kind: 'sendgrid', templateId: 'd-local-verify' })]);

  await page.click('text=Log out');
  await page.waitForURL(`${appUrl}/`);
  expect(await page.textContent('body')).toContain('Logged out.');

  await page.click('text=Log in');
  await page.waitForSelector('input[name=identifier]');
  await page.fill('input[name=identifier]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('#who');
  expect(await page.textContent('#who')).toContain(`Logged in as ${email}`);

  // The SDK's own view of the ID token it validated.
  const profile = JSON.parse((await (await page.goto(`${appUrl}/profile`))?.text()) ?? '{}') as Record<string, unknown>;
  expect(profile).toEqual(expect.objectContaining({ email, email_verified: false, sub: expect.stringMatching(/^auth0\|/) }));
  // AUTH0_AUDIENCE: the login also got an access token for the API.
  const access = JSON.parse((await (await page.goto(`${appUrl}/access-token`))?.text()) ?? '{}') as { claims?: Record<string, unknown> };
  expect(access.claims).toEqual(expect.objectContaining({ aud: [API, `https://${stack.tenant.domain}/userinfo`], sub: profile['sub'] }));
  expect(await client.outbox(email)).toHaveLength(1);
  await context.close();
});

it('refresh-token exchanges run post-login without a second verification email', async () => {
  const email = 'refresher@example.com';
  await client.management.users.create({ connection: 'members', email, password: PASSWORD });
  const https = trustingFetch(stack.tenant);
  custom.setHttpOptionsDefaults({ ca: stack.tenant.caCertPem, timeout: 10_000 });
  const issuer = await Issuer.discover(stack.tenant.httpsUrl);
  const rp = new issuer.Client({
    client_id: LOCAL_APP.client_id,
    client_secret: LOCAL_APP.client_secret,
    redirect_uris: [`${appUrl}/callback`],
  });
  const verifier = generators.codeVerifier();
  const url = rp.authorizationUrl({
    scope: 'openid email offline_access',
    code_challenge: generators.codeChallenge(verifier),
    code_challenge_method: 'S256',
    state: 'st',
  });
  const landed = await formLogin(stack.tenant, https, url, { connection: 'members', identifier: email, password: PASSWORD });
  const tokens = await rp.callback(`${appUrl}/callback`, rp.callbackParams(landed.location), { code_verifier: verifier, state: 'st' });
  expect(await client.outbox(email)).toHaveLength(1);

  let refreshToken = tokens.refresh_token ?? '';
  for (let i = 0; i < 3; i += 1) {
    const refreshed = await rp.refresh(refreshToken);
    refreshToken = refreshed.refresh_token ?? refreshToken;
  }
  const userId = tokens.claims().sub;
  const executions = stack.tenant.store.data.action_executions.filter((e) => e.trigger_id === 'post-login' && e.user_id === userId);
  expect(executions).toHaveLength(4);
  expect(await client.outbox(email)).toHaveLength(1);
  const user = await client.management.users.get(userId);
  expect(user.app_metadata).toEqual(expect.objectContaining({ verification_email_sent: true }));
});
