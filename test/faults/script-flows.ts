import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBulkInvite, type BulkInviteSummary } from '../../admin/bulk-invite';
import { readReport, type RowReport } from '../../admin/report';
import { sendPasswordReset, type PasswordResetResult } from '../../admin/secondary-email-reset';
import { searchCaughtUp } from '../../local-tenant/test/helpers';
import type { OutboxEmail } from '../../local-tenant/mail';
import { directSettings, LOCAL_CONFIRMATION, management, type ScriptContext } from '../support/admin-scripts';
import type { InstalledStack } from '../support/installed-stack';
import type { CallName } from './matrix';

export { SCRIPT_ATTEMPT_MS, scriptContext, type ScriptContext } from '../support/admin-scripts';

/**
 * The administrators' flows the fault matrix drives, in process, through the local tenant:
 * the bulk invitation (CSV, users created by the script, invitations sent by the script or by
 * the Action) and the password reset to a secondary email. Their requests go over HTTPS to the
 * local tenant, SendGrid's to its stand-in (`/sendgrid/v3/mail/send`), through the same faults.
 */

/**
 * A hang on a call whose budget is longer than a test can wait (the scripts' token request:
 * 30 s; their SendGrid send: 10 min) lasts this long, then the stand-in answers 504.
 */
export const SHORT_HANG_MS = 3_000;

export const SCRIPT_ROUTES: Partial<Record<CallName, string>> = {
  sendgrid: 'POST /sendgrid/v3/mail/send',
  users: 'POST /api/v2/users',
};

interface BulkRows {
  csv: string;
  /** Who each valid row is: its address, and its username on the shared inbox. */
  people: { email: string; username?: string; connection: string }[];
  lines: number;
}

let counter = 0;

/** A small CSV: two members and one account of a shared inbox (which is invited by ticket in any mode). */
export function bulkRows(ctx: ScriptContext, tag: string): BulkRows {
  counter += 1;
  const people = [
    { email: `bulk-${tag}-${counter}-a@example.com`, connection: 'members' },
    { email: `bulk-${tag}-${counter}-b@example.com`, connection: 'members' },
    {
      email: `bulk-${tag}-${counter}-family@example.com`,
      username: `bk${counter}${tag.replace(/[^a-z0-9]/gi, '').slice(0, 16)}`,
      connection: 'shared-inbox',
    },
  ];
  const csv = join(ctx.dir, `rows-${counter}.csv`);
  writeFileSync(
    csv,
    ['email,username,connection', ...people.map((p) => `${p.email},${p.username ?? ''},${p.connection}`)].join('\n') + '\n',
  );
  return { csv, people, lines: people.length };
}

export interface BulkRun {
  summary?: BulkInviteSummary;
  error?: string;
  rows: RowReport[];
  /** What the run printed for the administrator (failed rows by line). */
  log: string[];
  elapsedMs: number;
}

export async function runBulk(ctx: ScriptContext, rows: BulkRows, mode: 'action' | 'direct', run: number): Promise<BulkRun> {
  const reportPath = join(ctx.dir, `${rows.csv.replace(/.*\//, '')}.run${run}.jsonl`);
  const started = Date.now();
  const log: string[] = [];
  try {
    const summary = await runBulkInvite({
      csvPath: rows.csv,
      management: management(ctx),
      mode,
      // As `npm run invite` does: the ticket and SendGrid settings in both modes (Action mode sends
      // from the script, on a rerun, an invitation the Action never recorded).
      direct: directSettings(ctx),
      confirm: LOCAL_CONFIRMATION,
      stateDir: join(ctx.dir, 'state'),
      reportPath,
      log: (line) => log.push(line),
    });
    return { summary, rows: readRows(reportPath), log, elapsedMs: Date.now() - started };
  } catch (error) {
    return { error: (error as Error).message, rows: readRows(reportPath), log, elapsedMs: Date.now() - started };
  }
}

/** The rows a run reported, none when it left no report. */
function readRows(path: string): RowReport[] {
  return existsSync(path) ? readReport(path).rows : [];
}

/** The invitations a person received: by address, and on a shared inbox only those naming their username. */
export function invitationsOf(stack: InstalledStack, person: BulkRows['people'][number]): OutboxEmail[] {
  return stack
    .emailsTo(person.email)
    .filter((email) =>
      person.username === undefined
        ? true
        : email.source.kind === 'sendgrid' &&
          (email.source.dynamicTemplateData as { username?: unknown } | undefined)?.username === person.username,
    );
}

export function usersOf(stack: InstalledStack, person: BulkRows['people'][number]): number {
  return stack.tenant.store.data.users.filter((u) =>
    person.username !== undefined ? u.username === person.username && u.connection === person.connection : u.email === person.email,
  ).length;
}

// ------------------------------------------------------------------ password reset to a secondary email

interface ResetSubject {
  username: string;
  secondary: string;
  primary: string;
}

export async function resetSubject(ctx: ScriptContext, tag: string): Promise<ResetSubject> {
  counter += 1;
  const subject = {
    username: `rs${counter}${tag.replace(/[^a-z0-9]/gi, '').slice(0, 16)}`,
    primary: `reset-${tag}-${counter}-family@example.com`,
    secondary: `reset-${tag}-${counter}-backup@example.org`,
  };
  await ctx.stack.client.management.users.create({
    connection: 'shared-inbox',
    email: subject.primary,
    username: subject.username,
    password: 'correct-horse-battery-9',
    app_metadata: { invite: false, secondary_email: subject.secondary, secondary_email_verified: true },
  });
  // The reset finds the account by username through user search, which lags writes (as Auth0's does).
  await ctx.stack.tenant.deferred.settled();
  await searchCaughtUp(ctx.stack.tenant);
  return subject;
}

interface ResetRun {
  result?: PasswordResetResult;
  error?: string;
  elapsedMs: number;
}

export async function runReset(ctx: ScriptContext, subject: ResetSubject): Promise<ResetRun> {
  const { passwordReset } = ctx.config;
  if (!passwordReset.ok) throw new Error('environments/local.json gives no password-reset settings');
  const started = Date.now();
  try {
    const result = await sendPasswordReset(
      management(ctx),
      { reset: passwordReset.value, mail: directSettings(ctx).mail },
      { username: subject.username },
    );
    return { result, elapsedMs: Date.now() - started };
  } catch (error) {
    return { error: (error as Error).message, elapsedMs: Date.now() - started };
  }
}
