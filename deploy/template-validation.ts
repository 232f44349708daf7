import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { auth0EmailSamples, HOSTILE_MARKUP, type Auth0EmailSample } from '../build/email-samples';
import { replaceKeywords } from './placeholder-guard';
import { auth0Liquid, renderAuth0Template } from '../email-templates/engines';

/** Auth0 templates whose email is useless without its link (`url`). */
const TEMPLATES_WITH_LINK = new Set([
  'reset_email',
  'verify_email',
  'blocked_account',
  'change_password',
  'password_reset',
  'user_invitation',
]);

/**
 * The deploy renders every sample with Auth0's Liquid and refuses a variable the template does
 * not get: Auth0 would print nothing there, at send time, when nobody is looking.
 */
const deployLiquid = auth0Liquid({ undefinedVariables: 'error' });

/** One Auth0 email template of a deploy-cli directory (`emails/<template>.json` and its body). */
export interface EmailTemplateSource {
  template: string;
  /** The JSON file, relative to the bundle directory. */
  file: string;
  /** The body file, relative to the bundle directory. */
  bodyFile: string;
  syntax: string;
  enabled: boolean;
  from: string;
  subject: string;
  body: string;
}

/** The email templates of a deploy-cli directory, keywords replaced. */
export function readEmailTemplates(bundleDir: string, values: Readonly<Record<string, string | string[]>> = {}): EmailTemplateSource[] {
  const emailsDir = join(bundleDir, 'emails');
  if (!existsSync(emailsDir)) return [];
  return readdirSync(emailsDir)
    .filter((file) => file.endsWith('.json') && file !== 'provider.json')
    .sort()
    .map((file) => {
      const meta = JSON.parse(replaceKeywords(readFileSync(join(emailsDir, file), 'utf8'), values)) as Record<string, unknown>;
      const text = (key: string) => (typeof meta[key] === 'string' ? meta[key] : '');
      // deploy-cli reads the body from `body` (relative to emails/), else from <name>.html.
      const bodyName = text('body') !== '' ? text('body') : `${basename(file, '.json')}.html`;
      const bodyPath = join(emailsDir, bodyName);
      return {
        template: text('template') || basename(file, '.json'),
        file: `emails/${file}`,
        bodyFile: `emails/${bodyName.replace(/^\.\//, '')}`,
        syntax: text('syntax') || 'liquid',
        enabled: meta.enabled !== false,
        from: text('from'),
        subject: text('subject'),
        body: existsSync(bodyPath) ? replaceKeywords(readFileSync(bodyPath, 'utf8'), values) : '',
      };
    });
}

interface RenderedEmail {
  sample: Auth0EmailSample;
  from: string;
  subject: string;
  html: string;
}

/** Renders one template with one sample, as Auth0 would (no automatic escaping). Throws an Auth0TemplateError. */
export async function renderEmailTemplate(source: EmailTemplateSource, sample: Auth0EmailSample): Promise<RenderedEmail> {
  const rendered = await renderAuth0Template(source, sample.variables, deployLiquid);
  return { sample, from: rendered.from.trim(), subject: rendered.subject, html: rendered.html };
}

/** What a rendered sample must look like: text, the link, its language on `<html lang>`, user fields escaped. */
function renderedEmailProblems(rendered: RenderedEmail): string[] {
  const { sample, subject, html } = rendered;
  const problems: string[] = [];
  if (subject === '') problems.push('the subject renders empty');
  const text = html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') problems.push('the body renders no text');
  for (const output of [subject, html]) {
    const leftover = /\{\{|\}\}|\{%|%\}/.exec(output);
    if (leftover !== null) problems.push(`the output still holds "${leftover[0]}" (an unrendered tag or variable)`);
  }
  if (TEMPLATES_WITH_LINK.has(sample.template) && !html.includes(sample.variables.url))
    problems.push('the body does not contain the link (url)');
  const lang = /<html[^>]*\slang="([^"]*)"/i.exec(html)?.[1];
  if (lang === undefined) problems.push('the body has no <html lang="..."> naming its language');
  else if (lang !== sample.language) problems.push(`the body is in "${lang}" but this sample expects "${sample.language}"`);
  if (sample.hostile && (html.includes(HOSTILE_MARKUP) || subject.includes(HOSTILE_MARKUP))) {
    problems.push('a user-controlled field reaches the output unescaped (use | escape)');
  }
  return problems;
}

interface TemplateValidation {
  /** Templates rendered, and how many renders in all. */
  templates: string[];
  renders: number;
  problems: string[];
}

/**
 * Renders every Liquid email template of the bundle with every sample of build/email-samples.ts
 * (each branch, connection and language, and hostile user fields). Disabled templates are
 * checked too: switching one back on must not ship a broken email. One problem line per
 * template and cause, naming the first sample that shows it.
 */
export async function validateEmailTemplates(
  bundleDir: string,
  values: Readonly<Record<string, string | string[]>> = {},
): Promise<TemplateValidation> {
  const problems = new Map<string, { sample: string; count: number }>();
  const note = (key: string, sample: string) => {
    const entry = problems.get(key);
    if (entry) entry.count += 1;
    else problems.set(key, { sample, count: 1 });
  };
  let renders = 0;
  const templates: string[] = [];
  for (const source of readEmailTemplates(bundleDir, values)) {
    if (source.syntax !== 'liquid') continue;
    templates.push(source.template);
    if (source.body === '') {
      note(`${source.bodyFile}: the body file is missing or empty`, '-');
      continue;
    }
    for (const sample of auth0EmailSamples(source.template)) {
      renders += 1;
      let rendered: RenderedEmail;
      try {
        rendered = await renderEmailTemplate(source, sample);
      } catch (error) {
        note(
          `${source.template} (${source.file}, ${source.bodyFile}): ${error instanceof Error ? error.message : String(error)}`,
          sample.id,
        );
        continue;
      }
      for (const problem of renderedEmailProblems(rendered)) note(`${source.template} (${source.bodyFile}): ${problem}`, sample.id);
    }
  }
  return {
    templates,
    renders,
    problems: [...problems.entries()].map(
      ([message, { sample, count }]) =>
        `Email template ${message}${sample === '-' ? '' : ` [sample ${sample}${count > 1 ? ` and ${count - 1} more` : ''}]`}.`,
    ),
  };
}
