import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth0EmailSamples, EMAIL_LANGUAGES, HOSTILE_MARKUP, TEMPLATE_BRANCHES } from '../build/email-samples';
import { readEmailTemplates, renderEmailTemplate, validateEmailTemplates, type EmailTemplateSource } from './template-validation';

const TENANT = join(__dirname, '..', 'tenant');
const KEYWORDS = { RESET_RESULT_URL: 'https://app.example.com/after-reset', APP_VERIFY_RESULT_URL: 'https://app.example.com/verified' };

function template(name: string): EmailTemplateSource {
  const found = readEmailTemplates(TENANT, KEYWORDS).find((t) => t.template === name);
  if (found === undefined) throw new Error(`tenant/emails has no ${name}`);
  return found;
}

async function render(name: string, sampleId: string) {
  const sample = auth0EmailSamples(name).find((s) => s.id === sampleId);
  if (sample === undefined) throw new Error(`no sample ${sampleId}`);
  return renderEmailTemplate(template(name), sample);
}

describe("tenant/emails in every branch, connection and language (Auth0's Liquid, strict)", () => {
  test('every template renders every sample with no problem', async () => {
    const result = await validateEmailTemplates(TENANT, KEYWORDS);
    expect(result.problems).toEqual([]);
    expect(result.templates.sort()).toEqual(['reset_email', 'verify_email', 'welcome_email']);
    // reset_email: 2 branches x 2 connections x (4 language cases + 1 hostile); the others 1 branch each;
    // then Partner Portal's: 4 branches x 2 connections x 2 languages.
    expect(result.renders).toBe(20 + 10 + 10 + 16);
  });

  const resetWording = {
    invitation: { en: ['You are invited to Email Flows', 'Activate my account'], fr: ['Invitation à Email Flows', 'Activer mon compte'] },
    'password-reset': {
      en: ['Reset your Email Flows password', 'Choose a new password'],
      fr: ['Réinitialisation du mot de passe Email Flows', 'Choisir un nouveau mot de passe'],
    },
  } as const;

  test.each(auth0EmailSamples('reset_email').filter((s) => !s.hostile))('reset_email %#: $description', async (sample) => {
    const rendered = await renderEmailTemplate(template('reset_email'), sample);
    const [subject, button] = resetWording[sample.branch as keyof typeof resetWording][sample.language];
    expect(rendered.subject).toBe(subject);
    expect(rendered.html).toContain(button);
    expect(rendered.html).toContain(`<html lang="${sample.language}">`);
    expect(rendered.html).toContain(`href="${sample.variables.url}"`);
    // The account the email is about: the username where there is one (shared inbox), else the email.
    expect(rendered.html).toContain(`<strong>${sample.connection === 'shared-inbox' ? 'desk-paris' : 'ada@example.com'}</strong>`);
  });

  test("reset_email states the link's lifetime, as configured in reset_email.json", async () => {
    const { urlLifetimeInSeconds } = JSON.parse(readFileSync(join(TENANT, 'emails', 'reset_email.json'), 'utf8')) as {
      urlLifetimeInSeconds: number;
    };
    const days = urlLifetimeInSeconds / 86_400;
    expect(Number.isInteger(days)).toBe(true);
    expect((await render('reset_email', 'reset_email.invitation.members.en-fallback')).html).toContain(`expires in ${days} days`);
    expect((await render('reset_email', 'reset_email.password-reset.shared-inbox.fr-request-language')).html).toContain(
      `expire dans ${days} jours`,
    );
  });

  test('the language comes from user_metadata.locale first, then request_language, else English', async () => {
    const lang = async (id: string) => /<html lang="(\w+)">/.exec((await render('reset_email', id)).html)?.[1];
    expect(await lang('reset_email.invitation.members.fr-user-locale')).toBe('fr');
    expect(await lang('reset_email.invitation.members.fr-request-language')).toBe('fr');
    expect(await lang('reset_email.invitation.members.en-user-locale')).toBe('en'); // locale "en" beats a French browser
    expect(await lang('reset_email.invitation.members.en-fallback')).toBe('en');
  });

  test.each(['reset_email', 'verify_email', 'welcome_email'])('%s escapes user-controlled fields', async (name) => {
    const rendered = await render(name, `${name}.${TEMPLATE_BRANCHES[name]?.[0]?.branch}.shared-inbox.hostile`);
    expect(rendered.html).not.toContain(HOSTILE_MARKUP);
    expect(rendered.html).toContain('desk&lt;img src=x onerror=alert(1)&gt;');
  });

  test.each(EMAIL_LANGUAGES.flatMap((language) => ['verify_email', 'welcome_email'].map((name) => [name, language])))(
    '%s (disabled, kept valid for switching back) speaks %s',
    async (name, language) => {
      const sample = auth0EmailSamples(name).find((s) => s.language === language && !s.hostile);
      const rendered = await renderEmailTemplate(template(name), sample!);
      expect(rendered.subject).toBe(
        {
          verify_email: { en: 'Verify your email', fr: 'Vérifiez votre adresse email' },
          welcome_email: { en: 'Welcome to Email Flows', fr: 'Bienvenue sur Email Flows' },
        }[name as 'verify_email'][language as 'en'],
      );
      expect(rendered.html).toContain(`<html lang="${language}">`);
    },
  );

  test('reset_email is enabled; verify_email and welcome_email are disabled (the Action sends them)', () => {
    expect(template('reset_email').enabled).toBe(true);
    expect(template('verify_email').enabled).toBe(false);
    expect(template('welcome_email').enabled).toBe(false);
  });
});

describe('a broken template is refused, naming the template and the cause', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(TENANT, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, change: (text: string) => string) => {
    const path = join(dir, 'emails', file);
    writeFileSync(path, change(readFileSync(path, 'utf8')));
  };
  const problems = async () => (await validateEmailTemplates(dir, KEYWORDS)).problems;

  test('a syntax error', async () => {
    edit('reset_email.html', (t) => t.replace('{% else %}', '{% els %}'));
    expect(await problems()).toEqual([
      expect.stringMatching(/^Email template reset_email \(emails\/reset_email\.json, emails\/reset_email\.html\): .*els/),
    ]);
  });

  test('a filter Auth0 does not support (json exists in LiquidJS, not in Auth0)', async () => {
    edit('welcome_email.html', (t) => t.replace('{{ account }}', '{{ user.app_metadata | json }}'));
    expect(await problems()).toEqual([
      expect.stringContaining('welcome_email (emails/welcome_email.json, emails/welcome_email.html): undefined filter: json'),
    ]);
  });

  test('a variable Auth0 does not give (a typo), or one it may leave out used without a default', async () => {
    edit('reset_email.html', (t) => t.replace('{{ account }}</strong>.</p>', '{{ usr.email }}</strong>.</p>'));
    edit('verify_email.html', (t) => t.replace('{{ account }}', '{{ user.name | escape }}'));
    const found = await problems();
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/reset_email .*undefined variable: usr/),
        expect.stringMatching(/verify_email .*undefined variable: user\.name/),
      ]),
    );
  });

  test('{% debug %}, which would mail every variable', async () => {
    edit('welcome_email.html', (t) => t.replace('<p>Your account', '{% debug %}<p>Your account'));
    expect(await problems()).toEqual([expect.stringContaining('remove it before deploying')]);
  });

  test('a user-controlled field printed without escape', async () => {
    edit('welcome_email.html', (t) => t.replace(/\{\{ account \}\}/g, '{{ user.username | default: user.email }}'));
    expect(await problems()).toEqual([
      expect.stringMatching(/welcome_email .*unescaped.*\[sample welcome_email\.welcome\.shared-inbox\.hostile\]/),
    ]);
  });

  test('a language branch missing: French users would get English', async () => {
    edit('verify_email.html', (t) => t.replace("{% if lang == 'fr' %}fr{% else %}en{% endif %}", 'en'));
    expect(await problems()).toEqual([
      expect.stringContaining('verify_email (emails/verify_email.html): the body is in "en" but this sample expects "fr"'),
    ]);
  });

  test('the link left out of an email that needs it', async () => {
    edit('reset_email.html', (t) => t.replace(/href="\{\{ url \}\}"/g, 'href="#"'));
    expect(await problems()).toEqual([
      expect.stringContaining('reset_email (emails/reset_email.html): the body does not contain the link (url)'),
    ]);
  });
});
