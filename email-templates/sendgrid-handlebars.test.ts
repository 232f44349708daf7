// Every kept SendGrid template renders in every locale, names the account and escapes user input.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TEMPLATES_DIR, createSendgridHandlebars, formatDate, loadKeptTemplates, type TemplateData } from './engines';

const templates = loadKeptTemplates();
const LOCALES = ['en', 'fr'] as const;

const TICKET_URL = 'http://localhost:3000/lo/reset?ticket=T1#type=invite';
const VERIFY_URL = 'http://localhost:3000/api/v2/tickets/verify?ticket=V1';

/** Sample data per template, as the Actions and the admin script send it. */
const SAMPLES: Record<string, TemplateData> = {
  invite: {
    ticket_url: TICKET_URL,
    username: 'alice',
    email: 'shared@example.com',
    expires_at: '2026-11-20T10:30:00.000Z',
    app_name: 'Acme',
  },
  verify: { verify_url: VERIFY_URL, username: 'alice', email: 'shared@example.com', app_name: 'Acme' },
  welcome: { username: 'alice', email: 'shared@example.com', app_name: 'Acme' },
  'password-reset': {
    ticket_url: TICKET_URL,
    username: 'alice',
    email: 'shared@example.com',
    expires_at: '2026-11-20T10:30:00.000Z',
    app_name: 'Acme',
  },
};

const EXPECTED_TEXT: Record<string, Record<(typeof LOCALES)[number], string>> = {
  invite: { en: 'Accept the invitation', fr: "Accepter l'invitation" },
  verify: { en: 'Verify my email', fr: 'Vérifier mon adresse' },
  welcome: { en: 'Welcome to Acme!', fr: 'Bienvenue sur Acme !' },
  'password-reset': { en: 'Choose a new password', fr: 'Choisir un nouveau mot de passe' },
};

const URL_FIELD: Record<string, string | undefined> = { invite: 'ticket_url', verify: 'verify_url', 'password-reset': 'ticket_url' };

function byName(name: string) {
  const template = [...templates.values()].find((t) => t.name === name);
  if (!template) throw new Error(`no kept template named ${name}`);
  return template;
}

test("the manifest lists the six templates under local ids (two of them Partner Portal's), and every HTML file is listed", () => {
  expect([...templates.keys()].sort()).toEqual([
    'd-local-invite',
    'd-local-partner-verify',
    'd-local-partner-welcome',
    'd-local-password-reset',
    'd-local-verify',
    'd-local-welcome',
  ]);
  const manifest = JSON.parse(readFileSync(path.join(DEFAULT_TEMPLATES_DIR, 'templates.json'), 'utf8')) as Record<string, { html: string }>;
  const listed = Object.values(manifest)
    .map((e) => e.html)
    .sort();
  const files = readdirSync(DEFAULT_TEMPLATES_DIR)
    .filter((f) => f.endsWith('.html'))
    .sort();
  expect(listed).toEqual(files);
});

test('no template prints user data unescaped in HTML (triple braces only in subjects)', () => {
  for (const file of readdirSync(DEFAULT_TEMPLATES_DIR).filter((f) => f.endsWith('.html'))) {
    expect(readFileSync(path.join(DEFAULT_TEMPLATES_DIR, file), 'utf8')).not.toContain('{{{');
  }
});

describe.each(Object.keys(SAMPLES))('%s', (name) => {
  test.each(LOCALES)('renders in %s with the username, the link and no unfilled tag', (locale) => {
    const rendered = byName(name).render({ ...SAMPLES[name], locale: `${locale}-CA`, language: locale });
    for (const output of [rendered.subject, rendered.html]) {
      expect(output).not.toMatch(/\{\{|\}\}/);
      expect(output).toContain('alice');
    }
    expect(rendered.html).toContain(`<html lang="${locale}">`);
    expect(rendered.html).toContain(EXPECTED_TEXT[name]![locale]);
    const urlField = URL_FIELD[name];
    if (urlField) {
      const url = String(SAMPLES[name]![urlField]);
      // Handlebars escapes = in attributes; a browser decodes it back.
      expect(rendered.html).toContain(`href="${url.replace(/=/g, '&#x3D;')}"`);
    }
    if (name === 'invite' || name === 'password-reset') {
      expect(rendered.html).toContain(locale === 'fr' ? '20/11/2026 10:30 UTC' : 'November 20, 2026, 10:30 UTC');
    }
    expect(rendered.subject.length).toBeGreaterThan(10);
  });

  test('escapes user-controlled fields in the HTML', () => {
    const rendered = byName(name).render({
      ...SAMPLES[name],
      username: '<script>alert("x")</script>',
      app_name: 'A&B',
      locale: 'en',
      language: 'en',
    });
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(rendered.html).toContain('A&amp;B');
    // The subject is a plain-text header: kept as typed, escaped wherever it is shown as HTML.
    expect(rendered.subject).toContain('<script>alert("x")</script>');
  });

  test('falls back to the email when the account has no username; unknown locales get English', () => {
    const data: TemplateData = { ...SAMPLES[name], locale: 'de', language: 'de' };
    delete data.username;
    const rendered = byName(name).render(data);
    expect(rendered.subject).toContain('shared@example.com');
    expect(rendered.html).toContain('<strong>shared@example.com</strong>');
    expect(rendered.html).toContain(EXPECTED_TEXT[name]!.en);
  });
});

test('SendGrid helpers: equals, notEquals, and, or, formatDate', () => {
  const hb = createSendgridHandlebars();
  const render = (source: string, data: object) => hb.compile(source)(data);
  expect(render('{{#equals a "x"}}yes{{else}}no{{/equals}}', { a: 'x' })).toBe('yes');
  expect(render('{{#notEquals a "x"}}yes{{else}}no{{/notEquals}}', { a: 'x' })).toBe('no');
  expect(render('{{#and a b}}yes{{else}}no{{/and}}', { a: 1, b: 0 })).toBe('no');
  expect(render('{{#or a b}}yes{{else}}no{{/or}}', { a: 1, b: 0 })).toBe('yes');
  expect(formatDate('2026-01-05T15:04:05Z', 'MMMM D, YYYY h:mm:ss A')).toBe('January 5, 2026 3:04:05 PM');
  expect(formatDate('2026-01-05T23:30:00Z', 'DD/MM/YYYY HH:mm', '+0100')).toBe('06/01/2026 00:30');
  expect(formatDate('not a date', 'YYYY')).toBe('not a date');
  expect(formatDate(undefined, 'YYYY')).toBe('');
});
