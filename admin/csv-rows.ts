import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parse, type CsvError, type Info } from 'csv-parse';
import { languageTag } from '../actions/shared/locale';

/**
 * The invitation CSV, read as a stream (csv-parse): one row in memory at a time, whatever the
 * file's size. A header row names the columns, in any order:
 *
 *   email, username, name, locale, secondary_email, connection
 *
 * `email` is required (an invitation is sent to it); `connection` is required unless the
 * command gives a default. Fields may be quoted (RFC 4180: `"Doe, Jane"`, `""` for a quote).
 * Rows are checked here on their own; what depends on the connection (username required,
 * duplicates) is checked by the bulk invite.
 */

export const CSV_COLUMNS = ['email', 'username', 'name', 'locale', 'secondary_email', 'connection'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface InviteRow {
  /** The file line where the row ends (its only line unless a quoted field spans lines). */
  line: number;
  email: string;
  connection: string;
  username?: string;
  name?: string;
  locale?: string;
  secondaryEmail?: string;
}

export type ParsedRow = { ok: true; row: InviteRow } | { ok: false; line: number; errors: string[]; row?: Partial<InviteRow> };

export class CsvHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvHeaderError';
  }
}

/** Close to what SendGrid accepts: one @, a dot in the domain, no spaces or brackets. */
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+\.[^\s@<>()[\],;:".\\]+$/;
/** Auth0's username characters; the connection may set a shorter maximum. */
const USERNAME = /^[a-zA-Z0-9_+\-.!#$^`~@']{1,128}$/;
/** Auth0 connection names: letters, digits and hyphens, not at either end. */
const CONNECTION = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,126}[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function isUsername(value: string): boolean {
  return USERNAME.test(value);
}

/** Checks one record; `defaultConnection` fills an empty `connection`. */
export function validateRecord(record: Record<string, string | undefined>, line: number, defaultConnection?: string): ParsedRow {
  const field = (name: CsvColumn) => {
    const value = record[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const errors: string[] = [];
  const email = field('email');
  const username = field('username');
  const name = field('name');
  const locale = field('locale');
  const secondaryEmail = field('secondary_email');
  const connection = field('connection') ?? defaultConnection;

  if (email === undefined) errors.push('email is missing');
  else if (!isEmail(email)) errors.push('email is not a valid address');
  if (username !== undefined && !isUsername(username)) {
    errors.push("username must be 1 to 128 letters, digits or _+-.!#$^`~@'");
  }
  if (name !== undefined && (name.length > 300 || CONTROL.test(name)))
    errors.push('name is longer than 300 characters or has control characters');
  const tag = locale === undefined ? undefined : languageTag(locale);
  if (locale !== undefined && tag === undefined) errors.push('locale is not a language tag (e.g. en, fr, pt-BR)');
  if (secondaryEmail !== undefined) {
    if (!isEmail(secondaryEmail)) errors.push('secondary_email is not a valid address');
    else if (email !== undefined && secondaryEmail.toLowerCase() === email.toLowerCase()) {
      errors.push('secondary_email is the same as email');
    }
  }
  if (connection === undefined) errors.push('connection is missing (column or --connection)');
  else if (!CONNECTION.test(connection)) errors.push('connection is not a valid connection name');

  const row: Partial<InviteRow> = {
    line,
    ...(email !== undefined ? { email } : {}),
    ...(connection !== undefined ? { connection } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(tag !== undefined ? { locale: tag } : {}),
    ...(secondaryEmail !== undefined ? { secondaryEmail } : {}),
  };
  if (errors.length > 0) return { ok: false, line, errors, row };
  return { ok: true, row: row as InviteRow };
}

function headerColumns(header: string[]): string[] {
  const columns = header.map((h) => h.trim().toLowerCase());
  const unknown = columns.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) {
    throw new CsvHeaderError(`Unknown CSV column(s): ${unknown.join(', ')}. The columns are: ${CSV_COLUMNS.join(', ')}.`);
  }
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length > 0) throw new CsvHeaderError(`CSV column(s) given twice: ${[...new Set(repeated)].join(', ')}.`);
  if (!columns.includes('email'))
    throw new CsvHeaderError(`The CSV header has no "email" column. The columns are: ${CSV_COLUMNS.join(', ')}.`);
  return columns;
}

function parser() {
  return parse({
    columns: headerColumns,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    // A malformed record (wrong number of fields, stray quote) is reported as a bad row; the rest goes on.
    skip_records_with_error: true,
  });
}

/**
 * The rows of an invitation CSV, in file order, each validated. Holds one parsed chunk (64 kB)
 * and one row at a time: the caller pulls the next row when it is ready for it.
 */
export async function* readInviteRows(
  path: string,
  options: { defaultConnection?: string | undefined; signal?: AbortSignal | undefined } = {},
): AsyncGenerator<ParsedRow> {
  const stream = createReadStream(path);
  const csv = stream.pipe(parser());
  stream.on('error', (error) => csv.destroy(error));
  const skipped: Array<ParsedRow & { ok: false }> = [];
  csv.on('skip', (error: CsvError & { lines?: number }) => {
    skipped.push({ ok: false, line: error.lines ?? 0, errors: [`malformed CSV record: ${csvReason(error)}`] });
  });
  try {
    for await (const item of csv as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
      if (options.signal?.aborted === true) return;
      const line = item.info.lines;
      while (skipped.length > 0 && (skipped[0]?.line ?? 0) < line) yield skipped.shift()!;
      yield validateRecord(item.record, line, options.defaultConnection);
    }
    while (skipped.length > 0) yield skipped.shift()!;
  } catch (error) {
    if (error instanceof CsvHeaderError) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof CsvHeaderError) throw cause;
    throw new Error(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    csv.destroy();
    stream.destroy();
  }
}

/** The reason of a skipped record, without its content (which may hold addresses). */
function csvReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return 'wrong number of fields';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside an unquoted field, or text after a closing quote';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote is never closed (the rest of the file is in it)';
    default:
      return error.code;
  }
}

/** The header row, checked (unknown, repeated or missing columns throw CsvHeaderError) before anything is written. */
export async function checkCsvHeader(path: string): Promise<string[]> {
  const stream = createReadStream(path);
  const first = stream.pipe(parse({ bom: true, to_line: 1, relax_column_count: true, relax_quotes: true }));
  stream.on('error', (error) => first.destroy(error));
  try {
    for await (const header of first as AsyncIterable<string[]>) return headerColumns(header);
    throw new CsvHeaderError(`The CSV is empty: it needs a header row naming the columns (${CSV_COLUMNS.join(', ')}).`);
  } finally {
    first.destroy();
    stream.destroy();
  }
}

/**
 * The file's SHA-256 and its number of records (header excluded), in one streaming pass:
 * the hash names the resume journal, the count gives the progress bar its total.
 */
export async function scanCsv(path: string): Promise<{ sha256: string; records: number }> {
  const hash = createHash('sha256');
  const stream = createReadStream(path);
  stream.on('data', (chunk) => hash.update(chunk));
  const counter = stream.pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true, from_line: 2 }),
  );
  stream.on('error', (error) => counter.destroy(error));
  let records = 0;
  let skipped = 0;
  counter.on('skip', () => (skipped += 1));
  for await (const _record of counter) records += 1;
  return { sha256: hash.digest('hex'), records: records + skipped };
}
