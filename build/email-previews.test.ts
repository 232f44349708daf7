/**
 * `npm run preview` writes every email template in every branch and language; each preview is
 * opened in headless Chromium (test/support/chromium.ts), a
 * screenshot of it is kept in test-output/previews/, and nothing may render empty, with an
 * unfilled variable, or with user-controlled markup interpreted.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium';
import { commandProcessArgs } from '../test/support/command-process';
import { loadKeptTemplates } from '../email-templates/engines';
import { HOSTILE_MARKUP, auth0EmailSamples } from './email-samples';
import { readEmailTemplates } from '../deploy/template-validation';
import { TENANT_DIR, renderEmailPreviews, writeEmailPreviews, type EmailPreview } from './email-previews';
import { DEFAULT_APPLICATION, PARTNER_APPLICATION, sendgridEmailSamples } from './sendgrid-samples';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'test-output', 'previews');

/** What an unfilled or mis-filled variable leaves behind, in Liquid, Handlebars, deploy-cli keywords or JavaScript. */
const UNFILLED = /\{\{|\}\}|\{%|%\}|##[A-Za-z0-9_]+##|@@[A-Za-z0-9_]+@@|\bundefined\b|\bNaN\b|\[object Object\]/;

let browser: Browser;
/** Two tabs look at previews side by side (the test's time budget); `page` is the first. */
let viewers: Page[];
let page: Page;
let previews: EmailPreview[];
/** JavaScript dialogs each tab has seen: user markup that ran. */
const dialogs = new Map<Page, string[]>();

beforeAll(async () => {
  // The entry point itself, as `npm run preview -- --out test-output/previews` runs it.
  const output = execFileSync(process.execPath, commandProcessArgs('preview', ['--out', OUT]), {
    encoding: 'utf8',
  });
  expect(output).toMatch(/^Wrote \d+ previews of \d+ templates\. Open .*index\.html$/m);
  previews = await renderEmailPreviews();
  browser = await launchChromium();
  viewers = await Promise.all([0, 1].map(() => browser.newPage({ viewport: { width: 720, height: 900 } })));
  for (const viewer of viewers) {
    dialogs.set(viewer, []);
    viewer.on('dialog', (dialog) => {
      dialogs.get(viewer)!.push(dialog.message());
      void dialog.dismiss();
    });
  }
  page = viewers[0]!;
});

afterAll(async () => {
  await browser?.close();
});

test('every Auth0 template and every kept SendGrid template is previewed with each of its samples, files as rendered', () => {
  const auth0 = readEmailTemplates(TENANT_DIR);
  const sendgrid = [...loadKeptTemplates().values()];
  expect(auth0.map((t) => t.template)).toEqual(['reset_email', 'verify_email', 'welcome_email']);
  expect(sendgrid.map((t) => t.name).sort()).toEqual([
    'invite',
    'partner-verify',
    'partner-welcome',
    'password-reset',
    'verify',
    'welcome',
  ]);
  const expected =
    auth0.reduce((n, t) => n + auth0EmailSamples(t.template).length, 0) +
    sendgrid.reduce((n, t) => n + sendgridEmailSamples(t.name).length, 0);
  expect(previews).toHaveLength(expected);
  // Both languages and every branch of reset_email and of the SendGrid templates are there.
  const keys = new Set(previews.map((p) => `${p.engine}:${p.template}:${p.branch}:${p.language}`));
  for (const key of [
    'auth0:reset_email:invitation:fr',
    'auth0:reset_email:password-reset:en',
    'sendgrid:invite:email-only:fr',
    'sendgrid:welcome:username:en',
    'sendgrid:partner-welcome:username:fr',
    'auth0:welcome_email:welcome:en',
  ]) {
    expect(keys).toContain(key);
  }
  expect(new Set(previews.map((p) => p.file)).size).toBe(previews.length);
  for (const preview of previews) expect(readFileSync(join(OUT, preview.file), 'utf8')).toBe(preview.html);
});

test('the index links every preview once, labelled with its template, branch, language and subject', async () => {
  const index = readFileSync(join(OUT, 'index.html'), 'utf8');
  const links = [...index.matchAll(/<a href="([^"]+)">/g)].map((m) => m[1]);
  expect(links.sort()).toEqual(previews.map((p) => p.file).sort());
  expect(index).toContain('<h2>reset_email');
  expect(index).toContain('<h2>invite');
  expect(index).toContain('disabled in the tenant');
  expect(index).not.toMatch(/<img/);
  await page.goto(pathToFileURL(join(OUT, 'index.html')).toString());
  expect(await page.locator('a').count()).toBe(previews.length);
  await page.screenshot({ path: join(OUT, 'index.png'), fullPage: true });
});

/**
 * pngjs through Node's own require, outside jest's sandbox: in jest's vm context every global it
 * reads (Math.abs, per byte) goes through the context's interceptors, and a decode took ~200 ms
 * of CPU instead of ~27 ms (measured on these screenshots, 2026-12-02).
 */
const { PNG } = createRequire(__filename)('pngjs') as typeof import('pngjs');

/**
 * Share of the screenshot's pixels that differ from its top-left pixel. Decoded here (pngjs)
 * rather than by a page of the browser: that cost ~0.24 s of Chromium's CPU per screenshot.
 */
function inkRatio(png: Buffer): number {
  const { data } = PNG.sync.read(png);
  let differing = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) differing++;
  }
  return differing / (data.length / 4);
}

/** An unfilled variable in the preview's HTML, its subject or `more` (what the browser showed), or an empty subject. */
function unfilledOrEmpty(where: string, preview: EmailPreview, more: [string, string][] = []): string[] {
  const problems: string[] = [];
  const fields: [string, string][] = [...more, ['HTML', preview.html], ['subject', preview.subject]];
  for (const [what, value] of fields) {
    const unfilled = UNFILLED.exec(value);
    if (unfilled) problems.push(`${where}: ${what} contains "${unfilled[0]}"`);
  }
  if (preview.subject.trim() === '') problems.push(`${where}: empty subject`);
  return problems;
}

/** What is wrong with one written preview, seen in Chromium; leaves its screenshot beside it. */
async function inspect(preview: EmailPreview, dir: string, page: Page): Promise<{ problems: string[]; markupShownAsText: boolean }> {
  const where = `${preview.file} (${preview.description})`;
  const problems: string[] = [];
  const dialogsBefore = dialogs.get(page)!.length;
  // The written file's content, set on the page: a navigation to each file:// URL cost ~0.2 s of
  // Chromium's CPU, three times as much (the file's links are absolute, so nothing is lost).
  await page.setContent(readFileSync(join(dir, preview.file), 'utf8'));
  const seen = await page.evaluate(() => ({
    text: document.body?.innerText ?? '',
    lang: document.documentElement.getAttribute('lang'),
    hrefs: Array.from(document.querySelectorAll('a'), (a) => a.getAttribute('href') ?? ''),
    injected: document.querySelectorAll('img, script, [onerror]').length,
  }));
  const png = await page.screenshot({ path: join(dir, preview.file.replace(/\.html$/, '.png')), fullPage: true });
  if (seen.text.trim().length < 40) problems.push(`${where}: almost no visible text (${JSON.stringify(seen.text.trim())})`);
  problems.push(...unfilledOrEmpty(where, preview, [['text', seen.text]]));
  if (seen.lang !== null && seen.lang !== preview.language)
    problems.push(`${where}: <html lang="${seen.lang}">, expected ${preview.language}`);
  for (const href of seen.hrefs) {
    if (!/^https:\/\/\S+$/.test(href)) problems.push(`${where}: link to ${JSON.stringify(href)}`);
  }
  // User markup shows as the text it is, or not at all: never as elements, never escaped twice.
  if (seen.injected > 0 || dialogs.get(page)!.length > dialogsBefore) problems.push(`${where}: user markup is interpreted as HTML`);
  if (/&(lt|gt|amp|quot|#\d+);/.test(seen.text)) problems.push(`${where}: a value is escaped twice (an HTML entity shows as text)`);
  const ink = inkRatio(png);
  if (ink < 0.02) problems.push(`${where}: the screenshot is blank (${(ink * 100).toFixed(2)} % of pixels drawn)`);
  return { problems, markupShownAsText: seen.text.includes(HOSTILE_MARKUP) };
}

/**
 * The per-application previews are checked on their HTML only (below): Chromium looks at the
 * default application's, which share every template's layout, so the suite's time does not grow
 * with each application.
 */
const inChromium = (preview: EmailPreview) => preview.application === DEFAULT_APPLICATION;

test('each preview renders with text, filled variables, working links and escaped user fields; screenshots are kept', async () => {
  const problems: string[] = [];
  let markupShownAsText = 0;
  const queue = previews.filter(inChromium);
  await Promise.all(
    viewers.map(async (viewer) => {
      for (let preview = queue.shift(); preview !== undefined; preview = queue.shift()) {
        const seen = await inspect(preview, OUT, viewer);
        problems.push(...seen.problems);
        if (seen.markupShownAsText) markupShownAsText++;
      }
    }),
  );
  expect(problems.sort()).toEqual([]);
  // Not vacuous: the hostile samples reach the templates (usernames are printed), and show as text.
  const hostileWithUsername = previews.filter(
    (p) => inChromium(p) && p.hostile && (p.engine === 'sendgrid' || p.file.includes('shared-inbox')),
  );
  expect(hostileWithUsername.length).toBeGreaterThanOrEqual(8);
  expect(markupShownAsText).toBe(hostileWithUsername.length);
});

test("each application's previews are worded for it: filled, escaped, linked, and different from the default application's", () => {
  const partner = previews.filter((p) => p.application === PARTNER_APPLICATION);
  // Auth0: 4 branches × 2 connections × 2 languages; SendGrid: partner-verify and partner-welcome, 3 samples × 2 languages each.
  expect(partner.filter((p) => p.engine === 'auth0')).toHaveLength(16);
  expect(partner.filter((p) => p.engine === 'sendgrid').map((p) => p.template)).toEqual([
    ...Array<string>(6).fill('partner-verify'),
    ...Array<string>(6).fill('partner-welcome'),
  ]);
  const problems: string[] = [];
  for (const preview of partner) {
    const where = preview.file;
    problems.push(...unfilledOrEmpty(where, preview));
    if (!preview.html.includes(`<html lang="${preview.language}"`)) problems.push(`${where}: not in ${preview.language}`);
    // Worded for partners, in the email's language.
    const partnerWording = preview.language === 'fr' ? /partenaire/i : /partner/i;
    if (!partnerWording.test(preview.html)) problems.push(`${where}: no partner wording`);
    if (preview.hostile && (preview.html.includes(HOSTILE_MARKUP) || !preview.html.includes('&lt;img'))) {
      problems.push(`${where}: user markup not escaped`);
    }
    const links = [...preview.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '');
    if (preview.template !== 'welcome_email' && preview.template !== 'partner-welcome' && links.length === 0)
      problems.push(`${where}: no link`);
    for (const href of links) if (!/^https:\/\/\S+$/.test(href)) problems.push(`${where}: link to ${JSON.stringify(href)}`);
  }
  expect(problems).toEqual([]);
  // The same Auth0 sample for the default application reads differently (no partner banner).
  for (const preview of partner.filter((p) => p.engine === 'auth0')) {
    const fallback = previews.find((p) => p.file === preview.file.replace('.partner-portal.', '.'))!;
    expect(fallback.application).toBe(DEFAULT_APPLICATION);
    expect(fallback.html).not.toMatch(/Partner area|Espace partenaires/);
    expect(preview.html).toMatch(preview.language === 'fr' ? /Espace partenaires · Partner Portal/ : /Partner area · Partner Portal/);
  }
  // The index lists them with their application.
  expect(readFileSync(join(OUT, 'index.html'), 'utf8')).toContain(`<td>${PARTNER_APPLICATION}</td>`);
});

test('the checks catch broken copies of the templates: unescaped user data, a leftover keyword, an empty body, a missing link', async () => {
  const broken = mkdtempSync(join(tmpdir(), 'broken-emails-'));
  const tenantEmails = join(broken, 'emails');
  const sendgrid = join(broken, 'sendgrid');
  cpSync(join(ROOT, 'tenant', 'emails'), tenantEmails, { recursive: true });
  cpSync(join(ROOT, 'sendgrid-templates'), sendgrid, { recursive: true });
  const edit = (file: string, from: string | RegExp, to: string) => {
    const source = readFileSync(file, 'utf8');
    const changed = source.replace(from, to);
    if (changed === source) throw new Error(`${file}: ${String(from)} does not occur`);
    writeFileSync(file, changed);
  };
  edit(join(tenantEmails, 'reset_email.html'), /(\{% assign account = [^%]*?) \| escape %\}/, '$1 %}');
  edit(join(tenantEmails, 'reset_email.html'), /\{\{ friendly_name[^}]*\}\}/g, '##TENANT_FRIENDLY_NAME##');
  edit(join(tenantEmails, 'verify_email.html'), /href="\{\{ url \}\}"/g, 'href="{{ verify_url }}"');
  writeFileSync(join(tenantEmails, 'welcome_email.html'), '{% comment %}nothing yet{% endcomment %}');
  edit(join(sendgrid, 'invite.html'), 'Compte : <strong>{{#if username}}{{username}}', 'Compte : <strong>{{#if username}}{{{username}}}');
  const out = join(broken, 'previews');
  const all = await renderEmailPreviews({ tenantDir: broken, sendgridTemplatesDir: sendgrid });
  const chosen = [
    'auth0-reset_email/invitation.shared-inbox.hostile.html',
    'auth0-verify_email/verification.members.en-fallback.html',
    'auth0-welcome_email/welcome.members.en-fallback.html',
    'sendgrid-invite/hostile.fr.html',
    'sendgrid-invite/hostile.en.html',
  ];
  const problems: string[] = [];
  for (const file of chosen) {
    const preview = all.find((p) => p.file === file);
    if (!preview) throw new Error(`no preview ${file}`);
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), preview.html);
    problems.push(...(await inspect(preview, out, page)).problems);
  }
  rmSync(broken, { recursive: true, force: true });
  const about = (file: string) => problems.filter((p) => p.startsWith(file)).map((p) => p.slice(p.indexOf('): ') + 3));
  expect(about('auth0-reset_email/invitation.shared-inbox.hostile.html')).toEqual([
    'text contains "##TENANT_FRIENDLY_NAME##"',
    'HTML contains "##TENANT_FRIENDLY_NAME##"',
    'user markup is interpreted as HTML',
  ]);
  expect(about('auth0-verify_email/verification.members.en-fallback.html')).toEqual(['link to ""']);
  expect(about('auth0-welcome_email/welcome.members.en-fallback.html')).toEqual([
    'almost no visible text ("")',
    'the screenshot is blank (0.00 % of pixels drawn)',
  ]);
  expect(about('sendgrid-invite/hostile.fr.html')).toEqual(['user markup is interpreted as HTML']);
  expect(about('sendgrid-invite/hostile.en.html')).toEqual([]);
});

test('previews written into a folder leave its other files alone; a file given as the folder is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'previews-'));
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  mkdirSync(join(dir, 'auth0-old_template'));
  writeFileSync(join(dir, 'auth0-old_template', 'stale.html'), '<p>stale</p>');
  await writeEmailPreviews(dir);
  expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  expect(existsSync(join(dir, 'auth0-old_template'))).toBe(false);
  expect(existsSync(join(dir, 'index.html'))).toBe(true);
  await expect(writeEmailPreviews(join(dir, 'notes.txt'))).rejects.toThrow(
    `${join(dir, 'notes.txt')} is a file: the previews need a folder.`,
  );
  rmSync(dir, { recursive: true, force: true });
});
