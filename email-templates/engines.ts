// The two template languages of this project's emails, one engine each, used by the local
// tenant, the deploy's validation and the email previews alike:
// - Auth0's email templates (tenant/emails): Liquid, limited to the tags and filters Auth0
//   supports, so a template Auth0 would refuse fails here too, never only in production;
// - SendGrid's dynamic templates (sendgrid-templates/): Handlebars with SendGrid's helpers.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';

// ---------------------------------------------------------------------------------------------
// Auth0: Liquid
// ---------------------------------------------------------------------------------------------

/**
 * The tags of docs-v2 "Supported Liquid Syntax for Email Templates"
 * (customize/email/email-templates/supported-liquid-syntax): for, cycle, tablerow, if, unless,
 * elsif, else, case, assign, increment, decrement, include, layout, raw, comment. LiquidJS
 * registers `elsif`/`else`/`when` inside their block tags; `break`/`continue` (part of `for`)
 * and `block` (part of `layout`) are separate tags there. Auth0's own `{% debug %}` is left
 * out on purpose: it mails every variable of the template to the user.
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

/** The filters of the same docs-v2 page, by its categories. */
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

interface Auth0LiquidOptions {
  /**
   * `'empty'` renders a variable the template does not get as nothing, as Auth0 does at send
   * time; `'error'` refuses it (the deploy's check, which renders every sample, uses this to
   * catch typos and fields Auth0 may leave out). `if`, `unless` and the left side of `default`
   * tolerate absence either way: that is how a template handles optional fields.
   */
  undefinedVariables?: 'empty' | 'error';
}

/**
 * A LiquidJS engine with Auth0's tags and filters only. Any other tag fails to parse and any
 * other filter is an error, whatever the options: Auth0 runs LiquidJS with this list, and
 * what it refuses must not pass here.
 */
export function auth0Liquid(options: Auth0LiquidOptions = {}): Liquid {
  const engine = new Liquid({
    strictFilters: true,
    strictVariables: options.undefinedVariables === 'error',
    lenientIf: true,
    ownPropertyOnly: true,
  });
  const tags: readonly string[] = AUTH0_LIQUID_TAGS;
  const filters: readonly string[] = AUTH0_LIQUID_FILTERS;
  for (const tag of Object.keys(engine.tags)) if (!tags.includes(tag)) delete engine.tags[tag];
  for (const filter of Object.keys(engine.filters)) if (!filters.includes(filter)) delete engine.filters[filter];
  return engine;
}

/** An Auth0 email template's Liquid sources (the `from`, `subject` and body fields). */
interface Auth0TemplateSources {
  from: string;
  subject: string;
  body: string;
}

interface RenderedAuth0Template {
  from: string;
  subject: string;
  html: string;
}

/** A template Auth0 would not render; the message names the cause. */
export class Auth0TemplateError extends Error {
  override name = 'Auth0TemplateError';
}

const sendTimeLiquid = auth0Liquid();

/**
 * Renders a template's `from`, subject and body as Auth0 does: the subject trimmed, nothing
 * escaped automatically (templates escape user-controlled values with `| escape`, as Auth0's
 * docs ask; escaping here too would show `&amp;lt;` and hide a template that forgets to).
 * Throws an Auth0TemplateError for a template Auth0 would refuse.
 */
export async function renderAuth0Template(
  sources: Auth0TemplateSources,
  variables: object,
  engine: Liquid = sendTimeLiquid,
): Promise<RenderedAuth0Template> {
  // liquidjs types its output `any`, for its keepOutputType option; without it the output is text.
  const render = async (source: string): Promise<string> => (await engine.parseAndRender(source, variables)) as string;
  try {
    return {
      from: await render(sources.from),
      subject: (await render(sources.subject)).trim(),
      html: await render(sources.body),
    };
  } catch (error) {
    throw new Auth0TemplateError(explainLiquidError(error), { cause: error });
  }
}

/** LiquidJS's message, with why Auth0 refuses it where LiquidJS does not say. */
function explainLiquidError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const tag = /tag "?([\w#]+)"? not found/i.exec(message)?.[1];
  if (tag === 'debug') return `${message} ({% debug %} prints every template variable into the email; remove it before deploying)`;
  if (tag !== undefined) return `${message} (not among the tags Auth0 supports in email templates)`;
  if (/undefined filter/i.test(message)) return `${message} (not among the filters Auth0 supports in email templates)`;
  if (/undefined variable/i.test(message))
    return `${message} (not a variable Auth0 gives this template, or one it may leave out: use | default or {% if %})`;
  return message;
}

// ---------------------------------------------------------------------------------------------
// SendGrid: Handlebars, for the dynamic templates kept in the repo (sendgrid-templates/), so
// the outbox and the previews show what SendGrid would send.
// ---------------------------------------------------------------------------------------------

export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '../sendgrid-templates');

export type TemplateData = Record<string, unknown>;

/** One entry of sendgrid-templates/templates.json, keyed there by template id. */
interface TemplateManifestEntry {
  name: string;
  /** Handlebars; SendGrid keeps the subject in the template, not in the request. */
  subject: string;
  /** File name of the HTML version, relative to the templates folder. */
  html: string;
  /** Optional file name of a plain-text version. */
  text?: string;
}

interface RenderedTemplate {
  subject: string;
  html: string;
  text?: string;
}

export interface KeptTemplate {
  id: string;
  name: string;
  render(data: TemplateData): RenderedTemplate;
}

export type KeptTemplates = ReadonlyMap<string, KeptTemplate>;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * SendGrid's `{{formatDate timeStamp dateFormat timezoneOffset}}`, the subset of moment-style
 * tokens our templates use (YYYY MMMM MM M DD D HH H hh h mm ss A). Without an offset the
 * date is shown in UTC. An unparseable date is shown as given.
 */
export function formatDate(value: unknown, format: string, offset?: string): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  let shiftMinutes = 0;
  const offsetMatch = typeof offset === 'string' ? /^([+-])(\d{2}):?(\d{2})$/.exec(offset) : null;
  if (offsetMatch) {
    const sign = offsetMatch[1] === '-' ? -1 : 1;
    shiftMinutes = sign * (Number(offsetMatch[2]) * 60 + Number(offsetMatch[3]));
  }
  const d = new Date(date.getTime() + shiftMinutes * 60_000);
  const hours = d.getUTCHours();
  const tokens: Record<string, string> = {
    YYYY: String(d.getUTCFullYear()),
    MMMM: MONTHS[d.getUTCMonth()] ?? '',
    MM: pad(d.getUTCMonth() + 1),
    M: String(d.getUTCMonth() + 1),
    DD: pad(d.getUTCDate()),
    D: String(d.getUTCDate()),
    HH: pad(hours),
    H: String(hours),
    hh: pad(hours % 12 === 0 ? 12 : hours % 12),
    h: String(hours % 12 === 0 ? 12 : hours % 12),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
    A: hours < 12 ? 'AM' : 'PM',
  };
  return format.replace(/YYYY|MMMM|MM|M|DD|D|HH|H|hh|h|mm|ss|A/g, (token) => tokens[token] ?? token);
}

/** A Handlebars environment with SendGrid's helpers (`equals`, `notEquals`, `formatDate`, ...). */
export function createSendgridHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('equals', function (this: unknown, a: unknown, b: unknown, options: Handlebars.HelperOptions) {
    return String(a) === String(b) ? options.fn(this) : options.inverse(this);
  });
  hb.registerHelper('notEquals', function (this: unknown, a: unknown, b: unknown, options: Handlebars.HelperOptions) {
    return String(a) !== String(b) ? options.fn(this) : options.inverse(this);
  });
  hb.registerHelper('and', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as Handlebars.HelperOptions;
    return args.every(Boolean) ? options.fn(this) : options.inverse(this);
  });
  hb.registerHelper('or', function (this: unknown, ...args: unknown[]) {
    const options = args.pop() as Handlebars.HelperOptions;
    return args.some(Boolean) ? options.fn(this) : options.inverse(this);
  });
  hb.registerHelper('formatDate', (value: unknown, format: unknown, offset: unknown) =>
    formatDate(value, typeof format === 'string' ? format : 'YYYY-MM-DD HH:mm', typeof offset === 'string' ? offset : undefined),
  );
  return hb;
}

function isManifestEntry(value: unknown): value is TemplateManifestEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.name === 'string' &&
    typeof entry.subject === 'string' &&
    typeof entry.html === 'string' &&
    (entry.text === undefined || typeof entry.text === 'string')
  );
}

/** Reads templates.json and compiles every template it lists; throws on a malformed manifest. */
export function loadKeptTemplates(dir: string = DEFAULT_TEMPLATES_DIR): KeptTemplates {
  const manifest: unknown = JSON.parse(readFileSync(path.join(dir, 'templates.json'), 'utf8'));
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new Error(`${dir}/templates.json: expected an object keyed by template id`);
  }
  const hb = createSendgridHandlebars();
  const templates = new Map<string, KeptTemplate>();
  for (const [id, entry] of Object.entries(manifest)) {
    if (!isManifestEntry(entry)) throw new Error(`${dir}/templates.json: bad entry for ${id}`);
    const subject = hb.compile(entry.subject);
    const html = hb.compile(readFileSync(path.join(dir, entry.html), 'utf8'));
    const text = entry.text === undefined ? undefined : hb.compile(readFileSync(path.join(dir, entry.text), 'utf8'), { noEscape: true });
    templates.set(id, {
      id,
      name: entry.name,
      render(data) {
        const rendered: RenderedTemplate = { subject: subject(data).trim(), html: html(data) };
        if (text) rendered.text = text(data);
        return rendered;
      },
    });
  }
  return templates;
}
