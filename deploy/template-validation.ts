import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Liquid } from 'liquidjs';
import { auth0EmailSamples, HOSTILE_MARKUP, type Auth0EmailSample } from '../build/email-samples';
import { replaceKeywords } from './placeholder-guard';

/**
 * Auth0 renders email templates with LiquidJS, limited to the tags and filters of its
 * "Supported Liquid Syntax for Email Templates" page. Whatever else a template uses fails in
 * Auth0 at send time, when nobody is looking; here it fails the deploy.
 */
export const AUTH0_LIQUID_TAGS = [
  'for',
  'break',
  'continue',
  'cycle',
  'tablerow',
  'if',
  'unless',
  'case',
  'assign',
  'increment',
  'decrement',
  'include',
  'layout',
  'block',
  'raw',
  'comment',
] as const;

export const AUTH0_LIQUID_FILTERS = [
  // Math
  'plus',
  'minus',
  'modulo',
  'times',
  'floor',
  'ceil',
  'round',
  'divided_by',
  'abs',
  'at_least',
  'at_most',
  // String
  'append',
  'prepend',
  'capitalize',
  'upcase',
  'downcase',
  'strip',
  'lstrip',
  'rstrip',
  'strip_newlines',
  'split',
  'replace',
  'replace_first',
  'remove',
  'remove_first',
  'truncate',
  'truncatewords',
  // HTML/URI
  'escape',
  'escape_once',
  'url_encode',
  'url_decode',
  'strip_html',
  'newline_to_br',
  // Array
  'slice',
  'map',
  'sort',
  'sort_natural',
  'first',
  'last',
  'join',
  'reverse',
  'size',
  // Date, misc
  'date',
  'default',
] as const;

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
 * A LiquidJS engine with Auth0's tags and filters only, strict: an unknown filter or an
 * undefined variable is an error, except where Liquid itself tolerates absence (`if`,
 * `unless`, and the left side of `default`), which is how a template handles optional fields.
 */
export function auth0LiquidEngine(): Liquid {
  const engine = new Liquid({ strictFilters: true, strictVariables: true, lenientIf: true, ownPropertyOnly: true });
  const tags: readonly string[] = AUTH0_LIQUID_TAGS;
  const filters: readonly string[] = AUTH0_LIQUID_FILTERS;
  for (const tag of Object.keys(engine.tags)) if (!tags.includes(tag)) delete engine.tags[tag];
  for (const filter of Object.keys(engine.filters)) if (!filters.includes(filter)) delete engine.filters[filter];
  return engine;
}

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
      const text = (key: string) => (typeof meta[key] === 'string' ? (meta[key] as string) : '');
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

export interface RenderedEmail {
  sample: Auth0EmailSample;
  from: string;
  subject: string;
  html: string;
}

/** Renders one template with one sample, as Auth0 would (no automatic escaping). Throws Liquid's error. */
export async function renderEmailTemplate(engine: Liquid, source: EmailTemplateSource, sample: Auth0EmailSample): Promise<RenderedEmail> {
  const variables = sample.variables as unknown as Record<string, unknown>;
  return {
    sample,
    from: (await engine.parseAndRender(source.from, variables)).trim(),
    subject: (await engine.parseAndRender(source.subject, variables)).trim(),
    html: await engine.parseAndRender(source.body, variables),
  };
}

/** What a rendered sample must look like: text, the link, its language on `<html lang>`, user fields escaped. */
export function renderedEmailProblems(rendered: RenderedEmail): string[] {
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

export interface TemplateValidation {
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
  const engine = auth0LiquidEngine();
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
        rendered = await renderEmailTemplate(engine, source, sample);
      } catch (error) {
        note(`${source.template} (${source.file}, ${source.bodyFile}): ${liquidErrorMessage(error)}`, sample.id);
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

function liquidErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const tag = /tag "?([\w#]+)"? not found/i.exec(message)?.[1];
  if (tag === 'debug') return `${message} ({% debug %} prints every template variable into the email; remove it before deploying)`;
  if (tag !== undefined) return `${message} (not among the tags Auth0 supports in email templates)`;
  if (/undefined filter/i.test(message)) return `${message} (not among the filters Auth0 supports in email templates)`;
  if (/undefined variable/i.test(message))
    return `${message} (not a variable Auth0 gives this template, or one it may leave out: use | default or {% if %})`;
  return message;
}
