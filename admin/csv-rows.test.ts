import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCsvHeader, CsvHeaderError, readInviteRows, scanCsv, validateRecord, type ParsedRow } from './csv-rows';

const dir = mkdtempSync(join(tmpdir(), 'csv-rows-'));
let n = 0;
function csvFile(text: string): string {
  const path = join(dir, `rows-${n++}.csv`);
  writeFileSync(path, text);
  return path;
}

async function rows(path: string, defaultConnection?: string): Promise<ParsedRow[]> {
  const out: ParsedRow[] = [];
  for await (const row of readInviteRows(path, defaultConnection !== undefined ? { defaultConnection } : {})) out.push(row);
  return out;
}

describe('validateRecord', () => {
  const valid = { email: 'ada@example.com', connection: 'members' };

  it('accepts a complete row and normalizes the locale', () => {
    const parsed = validateRecord(
      { ...valid, username: 'ada_1', name: 'Lovelace, Ada', locale: 'PT-br', secondary_email: 'ada@home.example.org' },
      7,
    );
    expect(parsed).toEqual({
      ok: true,
      row: {
        line: 7,
        email: 'ada@example.com',
        connection: 'members',
        username: 'ada_1',
        name: 'Lovelace, Ada',
        locale: 'pt-br',
        secondaryEmail: 'ada@home.example.org',
      },
    });
  });

  it.each([
    [{ email: '' }, 'email is missing'],
    [{ email: 'not-an-email' }, 'email is not a valid address'],
    [{ email: 'a@b' }, 'email is not a valid address'],
    [{ email: 'a b@example.com' }, 'email is not a valid address'],
    [{ username: 'has space' }, "username must be 1 to 128 letters, digits or _+-.!#$^`~@'"],
    [{ locale: 'english please' }, 'locale is not a language tag (e.g. en, fr, pt-BR)'],
    [{ secondary_email: 'nope' }, 'secondary_email is not a valid address'],
    [{ secondary_email: 'ADA@example.com' }, 'secondary_email is the same as email'],
    [{ connection: '' }, 'connection is missing (column or --connection)'],
    [{ connection: '-bad-' }, 'connection is not a valid connection name'],
  ])('refuses %j', (fields, error) => {
    const parsed = validateRecord({ ...valid, ...fields }, 3);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.errors).toContain(error);
  });

  it('fills an empty connection with the default, and reports every error of a row at once', () => {
    expect(validateRecord({ email: 'a@example.com' }, 2, 'members')).toMatchObject({ ok: true, row: { connection: 'members' } });
    const parsed = validateRecord({ email: 'x', locale: '??' }, 2);
    expect(parsed.ok ? [] : parsed.errors).toHaveLength(3);
  });
});

describe('readInviteRows', () => {
  it('reads quoted fields (commas, quotes, line breaks), any column order, a BOM and blank lines', async () => {
    const path = csvFile(
      '\ufeffConnection, Email ,name\n' +
        'members,ada@example.com,"Lovelace, Ada"\n' +
        '\n' +
        'members,bob@example.com,"Bob ""The Builder"""\n' +
        'members,cy@example.com,"Cy\nTwo Lines"\n',
    );
    const parsed = await rows(path);
    expect(parsed.map((p) => (p.ok ? [p.row.line, p.row.email, p.row.name] : [p.line, p.errors]))).toEqual([
      [2, 'ada@example.com', 'Lovelace, Ada'],
      [4, 'bob@example.com', 'Bob "The Builder"'],
      // One record over two lines, reported at its last line; a line break is no part of a name.
      [6, ['name is longer than 300 characters or has control characters']],
    ]);
  });

  it('reports malformed records by line, without their content, and goes on', async () => {
    const path = csvFile('email,connection\na@example.com,members\nb@example.com\nc@example.com,members,extra\nd@example.com,members\n');
    const parsed = await rows(path);
    expect(parsed.map((p) => (p.ok ? `ok ${p.row.line}` : `bad ${p.line} ${p.errors.join()}`))).toEqual([
      'ok 2',
      'bad 3 malformed CSV record: wrong number of fields',
      'bad 4 malformed CSV record: wrong number of fields',
      'ok 5',
    ]);
  });

  it('refuses an unknown or repeated column, and a header without email, before any row', async () => {
    await expect(rows(csvFile('email,secondary email\n'))).rejects.toThrow(
      new CsvHeaderError(
        'Unknown CSV column(s): secondary email. The columns are: email, username, name, locale, secondary_email, connection.',
      ),
    );
    await expect(rows(csvFile('email,Email\na,b\n'))).rejects.toThrow('CSV column(s) given twice: email.');
    await expect(rows(csvFile('username,connection\nx,members\n'))).rejects.toThrow('The CSV header has no "email" column');
  });

  it('checks the header alone, before anything is written', async () => {
    expect(await checkCsvHeader(csvFile('Email,connection\n"unclosed\n'))).toEqual(['email', 'connection']);
    await expect(checkCsvHeader(csvFile('email,nickname\n'))).rejects.toThrow('Unknown CSV column(s): nickname.');
    await expect(checkCsvHeader(csvFile(''))).rejects.toThrow('The CSV is empty');
  });

  it('names the file when it cannot be read', async () => {
    await expect(rows(join(dir, 'missing.csv'))).rejects.toThrow(/Cannot read .*missing\.csv/);
  });
});

describe('scanCsv', () => {
  it('counts records (quoted line breaks and malformed records included, header and blank lines not) and hashes the bytes', async () => {
    const text = 'email,connection\na@example.com,members\n"b\nb@example.com",members\n\nc@example.com\n';
    const scan = await scanCsv(csvFile(text));
    expect(scan.records).toBe(3);
    expect(scan.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
