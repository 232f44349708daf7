/**
 * A person's walk through the invitation flow in headless Chromium (Debian's `chromium`,
 * installed by .ci/run; CHROMIUM_PATH overrides the path): an administrator creates an invited
 * user, the invitation link is clicked in the outbox, a password is set, the user logs in, and
 * the welcome email arrives. Leaves a screenshot of the outbox in test-output/outbox.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { LOCAL_APP, startLocalStack, type LocalStack } from '../../local-tenant/local-stack';
import { LocalStackClient } from '../support/local-stack-client';
import { TEST_TIMINGS } from '../../local-tenant/test/helpers';

jest.setTimeout(120_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output');

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH.`,
    );
  }
  stack = await startLocalStack({ port: 0, timings: TEST_TIMINGS });
  const deployed = await stack.deploy();
  if (deployed.exitCode !== 0) throw new Error(`a0deploy import failed:\n${deployed.output.slice(-3000)}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('an invited user follows the link from the outbox, sets a password, logs in and is welcomed', async () => {
  const base = stack.tenant.httpUrl;
  const email = 'margaret@example.com';
  const password = 'a-Strong-passw0rd-here';
  const page = await browser.newPage();

  // The administrator creates an invited user.
  await page.goto(`${base}/local/users/new`);
  await page.selectOption('select[name=connection]', 'members');
  await page.fill('input[name=email]', email);
  await page.check('input[name=invite]');
  await page.click('button');
  await page.waitForSelector('text=Created');

  // The invitation is in the outbox. Open it alone (the outbox page reloads itself whenever
  // the tenant changes, which can race a click inside its frames), then click its link.
  await page.goto(`${base}/outbox`);
  const invitation = page.locator('article.email', { hasText: 'You are invited' });
  await invitation.waitFor();
  const alone = await invitation.locator('a', { hasText: 'open alone' }).getAttribute('href');
  await page.goto(new URL(alone!, base).toString());
  await page.click('a:has-text("Activate my account")');
  await page.waitForURL(/\/lo\/reset\?ticket=/);
  await page.fill('#password', password);
  await page.fill('input[name=password_confirm]', password);
  await page.click('button');
  await page.waitForURL(/\/login/);

  // The first login runs verify-and-welcome: the email is verified, so it sends the welcome email.
  await page.goto(`${base}/login?client_id=${LOCAL_APP.client_id}&connection=members`);
  await page.fill('#identifier', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Logged in');

  const emails = await new LocalStackClient(stack).outbox(email);
  expect(emails.map((m) => m.subject)).toEqual(['You are invited to Email Flows (local)', expect.stringMatching(/welcome/i)]);

  await page.goto(`${base}/outbox`);
  // Both emails rendered in their frames before the picture is taken.
  for (const index of [0, 1]) {
    await page.locator('article.email').nth(index).frameLocator('iframe.body').locator('a, h1').first().waitFor();
  }
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, 'outbox.png'), fullPage: true });
  expect(existsSync(join(OUTPUT, 'outbox.png'))).toBe(true);
});
