import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';

/**
 * The resume journal of a bulk invitation: one JSON line per row outcome, appended as it
 * happens (`O_APPEND`, one write per line), so a run that is stopped (Ctrl-C, kill, crash) and
 * started again skips what was done. A journal belongs to one file content: its name carries
 * the hash of the CSV's absolute path and content, so an edited CSV starts a new journal (and
 * the tenant's own uniqueness still stops a user from being created twice).
 *
 * States of a row (each the record of a row state of admin/invitation-row/plan.ts, `journalEntryOf`):
 * - `pending`: the user creation was sent and its answer not recorded. On resume, a 409 for
 *   this row means the creation did happen: the row goes on as created.
 * - `created` with `via: 'direct'`: created, invitation not sent yet; resume sends it.
 * - `created` with `via: 'action'`: created, the Action's invitation not seen recorded yet;
 *   resume looks for the record (`at` is the creation time), and sends it if it never came.
 * - `invited`, `exists`, `resent`: done; resume skips the row.
 *
 * Failed and invalid rows are not journaled: a new run tries them again.
 */
export type JournalState = 'pending' | 'created' | 'invited' | 'exists' | 'resent';

export interface JournalEntry {
  line: number;
  /** A hash of the row's identity (connection and email/username), to catch a journal that does not match its file. */
  key: string;
  state: JournalState;
  via?: 'action' | 'direct';
  userId?: string;
  /** When the entry was written (ms since epoch). */
  at?: number;
}

export interface JournalRecord {
  state: JournalState;
  key: string;
  via?: 'action' | 'direct';
  userId?: string;
  at?: number;
}

export function journalPath(stateDir: string, csvPath: string, csvSha256: string): string {
  const absolute = resolve(csvPath);
  const id = createHash('sha256').update(absolute).update('\0').update(csvSha256).digest('hex').slice(0, 16);
  const name = basename(csvPath).replace(/[^A-Za-z0-9._-]/g, '_');
  return join(stateDir, `invite-${name}-${id}.journal.jsonl`);
}

export class RunJournal {
  private readonly rows = new Map<number, JournalRecord>();
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    private readonly durable: boolean,
  ) {}

  /** Opens (creating) the journal and reads what an earlier run recorded. */
  static open(path: string, options: { durable?: boolean } = {}): RunJournal {
    const journal = new RunJournal(path, options.durable ?? false);
    mkdirSync(dirname(path), { recursive: true });
    let cutShort = false;
    if (existsSync(path)) {
      const content = readFileSync(path, 'utf8');
      cutShort = content !== '' && !content.endsWith('\n');
      for (const text of content.split('\n')) {
        if (text.trim() === '') continue;
        let entry: JournalEntry;
        try {
          entry = JSON.parse(text) as JournalEntry;
        } catch {
          continue; // a line cut short by a crash: that row is simply done again
        }
        if (typeof entry.line !== 'number' || typeof entry.state !== 'string' || typeof entry.key !== 'string') continue;
        journal.rows.set(entry.line, {
          state: entry.state,
          key: entry.key,
          ...(entry.via !== undefined ? { via: entry.via } : {}),
          ...(entry.userId !== undefined ? { userId: entry.userId } : {}),
          ...(typeof entry.at === 'number' ? { at: entry.at } : {}),
        });
      }
    }
    journal.fd = openSync(path, 'a');
    // A crash in the middle of a write leaves half a line: the next entry starts on a line of its own.
    if (cutShort) writeSync(journal.fd, '\n');
    return journal;
  }

  /** How many rows an earlier run recorded. */
  get size(): number {
    return this.rows.size;
  }

  get(line: number): JournalRecord | undefined {
    return this.rows.get(line);
  }

  record(entry: JournalEntry): void {
    if (this.fd === undefined) throw new Error('journal is closed');
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    // Without fsync an entry survives a killed process (it is in the OS's cache), not a power cut.
    if (this.durable) fdatasyncSync(this.fd);
    this.rows.set(entry.line, {
      state: entry.state,
      key: entry.key,
      ...(entry.via !== undefined ? { via: entry.via } : {}),
      ...(entry.userId !== undefined ? { userId: entry.userId } : {}),
      ...(entry.at !== undefined ? { at: entry.at } : {}),
    });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
