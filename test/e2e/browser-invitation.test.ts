/**
 * A person's walk through the invitation flow in headless Chromium (test/support/chromium.ts):
 * an administrator creates an invited
 * user, the invitation link is clicked in the outbox, a password is set, the user logs in, and
 * the welcome email arrives. Leaves a screenshot of the outbox in test-output/outbox.png. The
 * built bundle is installed straight into the tenant (test/support/installed-stack.ts): the walk
 * is what this file tests; the real deploy-cli import is tested by email-flows.test.ts.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { LOCAL_APP } from '../../local-tenant/local-stack';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';

jest.setTimeout(120_000);

const OUTPUT = join(__dirname, '..', '..', 'test-output');

let stack: InstalledStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startInstalledStack();
  browser = await launchChromium();
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
  // The password-reset-landing Action sends the invitee to the application's login route.
  await page.waitForURL(`${base}/login?client_id=${LOCAL_APP.client_id}&type=invite`);

  // The first login runs verify-and-welcome: the email is verified, so it sends the welcome email.
  await page.goto(`${base}/login?client_id=${LOCAL_APP.client_id}&connection=members`);
  await page.fill('#identifier', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Logged in');

  const emails = await stack.client.outbox(email);
  expect(emails.map((m) => m.subject)).toEqual(['You are invited to Email Flows (local)', expect.stringMatching(/welcome/i)]);

  await page.goto(`${base}/outbox`);
  // Both emails rendered in their frames before the picture is taken.
  for (const index of [0, 1]) {
    await page.locator('article.email').nth(index).frameLocator('iframe.body').locator('a, h1').first().waitFor();
  }
  // A viewport as tall as the page: Chromium does not paint an iframe below the viewport, so a
  // full-page screenshot of a shorter one shows the second email's frame empty.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, 'outbox.png'), fullPage: true });
  expect(existsSync(join(OUTPUT, 'outbox.png'))).toBe(true);
});

it("signs a person up on Universal Login's sign-up screen, then on the stand-alone page; a refusal is shown as Auth0 words it", async () => {
  const base = stack.tenant.httpUrl;
  const password = 'a-Strong-passw0rd-here';
  const page = await browser.newPage();

  // screen_hint=signup: signed up through /dbconnections/signup, then logged in and sent back with a code.
  // Nothing listens at the callback: the login's answer, a redirect to it with a code, is what counts.
  const callback = 'http://localhost:3000/callback';
  const query = new URLSearchParams({
    client_id: LOCAL_APP.client_id,
    response_type: 'code',
    redirect_uri: callback,
    scope: 'openid email',
    screen_hint: 'signup',
    connection: 'members',
    login_hint: 'grace@example.com',
  });
  await page.goto(`${base}/authorize?${query.toString()}`);
  expect(await page.inputValue('#email')).toBe('grace@example.com');
  await page.fill('#password', password);
  const [loggedIn] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/u/login` && r.request().method() === 'POST'),
    page.click('button[type=submit]'),
  ]);
  expect(loggedIn.status()).toBe(302);
  expect(loggedIn.headers()['location']).toMatch(/^http:\/\/localhost:3000\/callback\?code=/);
  expect(stack.tenant.store.data.users.some((u) => u.email === 'grace@example.com' && u.connection === 'members')).toBe(true);

  // The stand-alone page (members is the one connection open to sign-up): signed up, then told to log in.
  // A tab of its own: the first one is still following the redirect to the callback nobody serves.
  const standalone = await browser.newPage();
  const signUpAda = async (shows: string) => {
    await standalone.goto(`${base}/signup?client_id=${LOCAL_APP.client_id}`);
    await standalone.fill('#email', 'ada@example.com');
    await standalone.fill('#password', password);
    await standalone.click('button[type=submit]');
    await standalone.waitForSelector(shows);
  };
  await signUpAda('#result:has-text("Signed up")');
  expect(stack.tenant.store.data.users.some((u) => u.email === 'ada@example.com' && u.connection === 'members')).toBe(true);

  // The same address again: Auth0's answer, shown as it comes.
  await signUpAda('#error:not([hidden])');
  expect(await standalone.textContent('#error')).toMatch(/already exists/i);
});
