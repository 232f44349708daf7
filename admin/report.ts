import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The machine-readable report of a run: one JSON object per line and per row, written as each
 * row ends (so an interrupted run still leaves the rows it did), then one `summary` line.
 *
 * The report may carry the row's email and username: the administrator supplied them and needs
 * them to act on a failure. The console never shows them: it names rows by line and user id.
 */
export type RowStatus =
  | 'created' // user created; the invitation is the post-user-registration Action's, not (yet) seen sent (see reason)
  | 'invited' // user created and invitation sent: by the script (--direct), or by the Action and seen recorded
  | 'exists' // a user with that identity already exists: not created, not invited
  | 'resent' // it existed and the invitation was sent again (--resend)
  | 'done_earlier' // an earlier run of the same file did this row
  | 'would_create' // --dry-run
  | 'duplicate' // the same user as an earlier row of the file
  | 'invalid' // the row is not valid (see errors)
  | 'failed' // the tenant or SendGrid refused or failed (see reason)
  | 'skipped' // `invitations resend`: the user no longer calls for it (see reason)
  | 'would_resend'; // `invitations resend --dry-run`

export interface RowReport {
  line: number;
  status: RowStatus;
  connection?: string;
  email?: string;
  username?: string;
  user_id?: string;
  /** A short code: `http_400`, `invite_sendgrid_http_401`, `unknown_connection`, ... */
  reason?: string;
  /** Auth0's message, or the validation errors. */
  errors?: string[];
  /** The user was created by an earlier run of the same file (this run confirmed or finished its invitation). */
  earlier_run?: true;
  /** For a duplicate: the line of the row it repeats. */
  duplicate_of?: number;
}

export class ReportWriter {
  private fd: number | undefined;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  row(report: RowReport): void {
    this.write(report);
  }

  summary(summary: object): void {
    this.write({ summary });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(value: object): void {
    if (this.fd === undefined) throw new Error('report is closed');
    writeSync(this.fd, `${JSON.stringify(value)}\n`);
  }
}

/**
 * A report file read back: its rows, and its summary when the run wrote one (a process killed
 * mid-run leaves rows without it). Throws when the file cannot be read or a line is not JSON.
 */
export function readReport<Summary = unknown>(path: string): { rows: RowReport[]; summary?: Summary } {
  const rows: RowReport[] = [];
  let summary: Summary | undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as RowReport | { summary: Summary };
    if ('summary' in entry) summary = entry.summary;
    else rows.push(entry);
  }
  return summary !== undefined ? { rows, summary } : { rows };
}
