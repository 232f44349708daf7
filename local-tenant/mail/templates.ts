// The SendGrid dynamic templates kept in the repo (sendgrid-templates/), rendered locally with
// Handlebars and the helpers SendGrid documents, so the outbox shows what SendGrid would send.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';

export const DEFAULT_TEMPLATES_DIR = path.resolve(__dirname, '../../sendgrid-templates');

export type TemplateData = Record<string, unknown>;

/** One entry of sendgrid-templates/templates.json, keyed there by template id. */
export interface TemplateManifestEntry {
  name: string;
  /** Handlebars; SendGrid keeps the subject in the template, not in the request. */
  subject: string;
  /** File name of the HTML version, relative to the templates folder. */
  html: string;
  /** Optional file name of a plain-text version. */
  text?: string;
}

export interface RenderedTemplate {
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
