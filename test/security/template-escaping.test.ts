/**
 * User-controlled fields are escaped in every email template: the Auth0 Liquid templates of
 * tenant/emails (and of tenant-variants/*), and the SendGrid dynamic templates of
 * sendgrid-templates/. Each is rendered, in every branch, language and connection the shared
 * samples cover, with markup in every field a user can choose (name, nickname, username, email,
 * user_metadata, the browser's language), rendered as Auth0 and SendGrid do (Auth0's Liquid
 * does not escape by itself). The HTML must never contain the markup raw, and must show it
 * escaped where the template prints the field. Subjects and text parts are plain text, not HTML.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auth0EmailSamples, type Auth0TemplateVariables } from '../../build/email-samples';
import { renderAuth0Template } from '../../email-templates/engines';
import { loadKeptTemplates } from '../../email-templates/engines';

const ROOT = join(__dirname, '..', '..');

/** A tag, and a quote that would end an attribute: neither may reach the HTML as is. */
const PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "' onmouseover='alert(3)"] as const;
const ESCAPED = /&lt;script&gt;alert\(1\)&lt;\/script&gt;|&lt;script&gt;alert\(1\)&lt;&#x2F;script&gt;/;

function raw(html: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push('<script');
  if (/onerror=alert\(2\)/.test(html) && /"><img src=x/.test(html)) found.push('"><img');
  if (/' onmouseover='alert\(3\)/.test(html)) found.push("' onmouseover=");
  return found;
}

/** The Liquid templates this project deploys: tenant/emails and every variant's emails. */
function liquidTemplates(): { file: string; template: string; from: string; subject: string; body: string }[] {
  const dirs = [join(ROOT, 'tenant', 'emails')];
  const variants = join(ROOT, 'tenant-variants');
  if (existsSync(variants)) {
    for (const variant of readdirSync(variants)) {
      const emails = join(variants, variant, 'emails');
      if (existsSync(emails)) dirs.push(emails);
    }
  }
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'provider.json')
      .flatMap((file) => {
        const config = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
          template: string;
          from?: string;
          subject?: string;
          body?: string;
        };
        if (typeof config.body !== 'string') return [];
        const body = readFileSync(join(dir, config.body), 'utf8');
        return [
          {
            file: join(dir, file).slice(ROOT.length + 1),
            template: config.template,
            from: config.from ?? '',
            subject: config.subject ?? '',
            body,
          },
        ];
      }),
  );
}

function hostile(variables: Auth0TemplateVariables, payload: string): Auth0TemplateVariables {
  const user = variables.user;
  return {
    ...variables,
    user: {
      ...user,
      name: `Eve ${payload}`,
      nickname: payload,
      given_name: payload,
      family_name: payload,
      email: `eve${payload}@example.com`,
      ...(user.username !== undefined ? { username: `eve${payload}` } : {}),
      user_metadata: { ...user.user_metadata, display_name: payload, company: payload },
    },
    // The browser's Accept-Language is the user's too; the samples' language choice stays as it was.
    request_language: variables.request_language === '' ? payload : variables.request_language,
  };
}

describe('Auth0 email templates (Liquid)', () => {
  const templates = liquidTemplates();

  it('are found', () => {
    expect(templates.map((t) => t.template)).toEqual(expect.arrayContaining(['reset_email', 'verify_email', 'welcome_email']));
  });

  it.each(templates.map((t) => [t.file, t] as const))('%s escapes every user-controlled field', async (_file, template) => {
    expect(raw(template.body)).toEqual([]); // the template itself carries no script
    const samples = auth0EmailSamples(template.template);
    expect(samples.length).toBeGreaterThan(0);
    let escapedSeen = 0;
    for (const sample of samples) {
      for (const payload of PAYLOADS) {
        const { html } = await renderAuth0Template(template, hostile(sample.variables, payload));
        expect({ sample: sample.id, payload, raw: raw(html) }).toEqual({ sample: sample.id, payload, raw: [] });
        if (payload === PAYLOADS[0] && ESCAPED.test(html)) escapedSeen += 1;
      }
    }
    // The account (username or email) is printed in every branch: escaped, not dropped.
    expect(escapedSeen).toBe(samples.length);
  });
});

describe('SendGrid dynamic templates (Handlebars)', () => {
  const templates = [...loadKeptTemplates().values()];

  it('are found', () => {
    expect(templates.map((t) => t.name)).toEqual(expect.arrayContaining(['invite', 'verify', 'welcome']));
  });

  it.each(templates.map((t) => [t.name, t] as const))('%s escapes every field a user or an administrator fills', (_name, template) => {
    for (const locale of ['en', 'fr']) {
      for (const withUsername of [true, false]) {
        for (const payload of PAYLOADS) {
          const data = {
            ...(withUsername ? { username: `eve${payload}` } : {}),
            email: `eve${payload}@example.com`,
            app_name: `App ${payload}`,
            locale,
            ticket_url: 'https://tenant.example.com/lo/reset?ticket=abc#type=invite',
            verify_url: 'https://tenant.example.com/u/email-verification?ticket=abc#',
            expires_at: '2026-12-01T10:00:00.000Z',
            to_secondary: true,
          };
          const { html } = template.render(data);
          expect({ locale, withUsername, payload, raw: raw(html) }).toEqual({ locale, withUsername, payload, raw: [] });
          if (payload === PAYLOADS[0]) expect(html).toMatch(/eve&lt;script&gt;alert\(1\)&lt;(\/|&#x2F;)script&gt;/);
        }
      }
    }
  });
});
