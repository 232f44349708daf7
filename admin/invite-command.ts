import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { requireSettings, type AdminConfig } from './admin-config';
import { DEFAULT_STATE_DIR, runBulkInvite, type BulkInviteSummary } from './bulk-invite';
import {
  connect,
  EXIT,
  mailWithTransport,
  loadConfig,
  withEnvironment,
  withRateOptions,
  type CommandDefinition,
  type CommandShell,
  type RateOptions,
} from './cli';
import { connectionsFromConfig, connectionsFromTenant, type ConnectionDirectory } from './connections';
import { CSV_COLUMNS, validateRecord, type InviteRow } from './csv-rows';
import { DEFAULT_CONFIRMATION, type ConfirmationTiming } from './invitation-confirmations';
import { connectionProblems } from './invitation-row/plan';
import { actionModeCreationCost, type DirectInvitation } from './invite-user';
import type { AdminManagement } from './management';
import { createProgress } from './progress';

/**
 * `npm run invite`: creates users with `app_metadata.invite: true`, so the post-user-registration
 * Action invites them, or (`--direct`) invites them from here. One user from flags, or a CSV.
 */
function inviteProgram(): Command {
  return withRateOptions(
    withEnvironment(
      new Command('npm run invite --')
        .description('Create users and invite them: one from flags, or many from a CSV (streamed, rate-limited, resumable, with a report).')
        .option('--csv <file>', `CSV with a header row; columns: ${CSV_COLUMNS.join(', ')}`)
        .option('--email <address>', 'one user: the email to invite')
        .option('--username <name>', 'one user: the username (required on connections with non-unique emails)')
        .option('--name <name>', 'one user: the display name')
        .option('--locale <tag>', 'one user: the email language (user_metadata.locale), e.g. fr')
        .option('--secondary-email <address>', 'one user: app_metadata.secondary_email (for password resets)')
        .option('--connection <name>', 'the database connection (for a CSV: of rows that leave it empty)')
        .option(
          '--application <client_id>',
          'the application the invitations are for (its client id): the Action sends its invitation email (app_metadata.app; docs/per-application-emails.md)',
        )
        .option(
          '--direct',
          'send the invitation from this script (ticket + SendGrid) instead of the Action (users carry app_metadata.invited_by: admin-script, which the Action leaves alone)',
        )
        .option('--resend', 'invite users that already exist again (from this script)')
        .option(
          '--invited-by <name>',
          'who invites: named in the invitation email, kept in app_metadata.invitation.by (npm run invitations lists it)',
          parseInvitedBy,
        )
        .option(
          '--roles <role_ids>',
          "comma-separated role ids (rol_...) given to each user this run creates, before its invitation (the scripts' application needs create:role_members)",
          parseRoles,
        )
        .option(
          '--confirm-within <seconds>',
          "Action mode: how long to wait for the Action's record of each invitation (app_metadata.invitation_email_sent)",
          parseSeconds,
          DEFAULT_CONFIRMATION.settleMs / 1000,
        )
        .option('--no-confirm', "Action mode: do not wait for the Action's record; rows stay `created` (for Actions that cannot record)")
        .option('--secondary-verified', 'mark the secondary emails as verified (you have confirmed them with the users)')
        .option('--dry-run', 'validate the whole CSV and say what would be done; creates and sends nothing')
        .option('--tenant-dir <dir>', 'for --dry-run: read connections from this deploy-cli directory (e.g. tenant) instead of the tenant')
        .option('--report <file>', 'the report (JSON lines); default .admin-runs/invite-<csv>-<time>.report.jsonl')
        .option('--state-dir <dir>', 'where the resume journal (and default report) go', DEFAULT_STATE_DIR)
        .option('--fsync', 'flush the journal to disk after every row (survives a power cut; slower)')
        .addOption(
          new Option('--progress <kind>', 'bar, lines or none (default: a bar on a terminal, lines otherwise)').choices([
            'bar',
            'lines',
            'none',
          ]),
        ),
    ),
  ).addHelpText(
    'after',
    `
CSV example:
  email,username,name,locale,secondary_email,connection
  ada@example.com,,"Lovelace, Ada",en,,members
  family@example.com,kid1,Kid One,fr,parent@example.org,shared-inbox

Exit code: 0 when every row is done or skipped, 1 when a row failed or was invalid,
2 for a usage or configuration error (a missing CSV file or a refused header too), 130 when interrupted (run the same command again to resume).`,
  );
}

/** Shown in emails and listings: a short, printable name. */
function parseInvitedBy(value: string): string {
  const name = value.trim();
  if (name === '' || name.length > 100 || [...name].some((c) => c.charCodeAt(0) < 32))
    throw new InvalidArgumentError('give a name of 1 to 100 printable characters.');
  return name;
}

/** Role ids as Auth0 writes them (`rol_` and letters or digits): a name instead of an id is refused here, not by each row. */
function parseRoles(value: string): string[] {
  const roles = value.split(',').map((role) => role.trim());
  if (roles.length === 0 || roles.some((role) => !/^rol_[A-Za-z0-9]{1,64}$/.test(role))) {
    throw new InvalidArgumentError('give role ids separated by commas, e.g. rol_AbC123,rol_XyZ789 (npm run invite takes ids, not names).');
  }
  return [...new Set(roles)];
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) throw new InvalidArgumentError('give seconds, 0 to 3600.');
  return seconds;
}

interface InviteFlags extends RateOptions {
  env: string;
  csv?: string;
  email?: string;
  username?: string;
  name?: string;
  locale?: string;
  secondaryEmail?: string;
  connection?: string;
  application?: string;
  direct?: boolean;
  resend?: boolean;
  invitedBy?: string;
  roles?: string[];
  confirmWithin: number;
  confirm: boolean;
  secondaryVerified?: boolean;
  dryRun?: boolean;
  tenantDir?: string;
  report?: string;
  stateDir: string;
  fsync?: boolean;
  progress?: string;
}

/** The settings for sending from the script, checked with the Management API credentials so every missing one is named at once. */
function directSettings(config: AdminConfig, withManagement: boolean): DirectInvitation {
  const { ticket, mail } = requireSettings(config, {
    ticket: config.invite.ticket,
    mail: config.mail,
    ...(withManagement ? { management: config.management } : {}),
  });
  return { ticket, mail: mailWithTransport(config, mail), templates: config.invite.templates };
}

/**
 * The ticket and SendGrid settings when the environment has them, for Action mode: a rerun sends
 * from here an invitation the Action never recorded. Not an error when missing.
 */
function availableDirectSettings(config: AdminConfig): DirectInvitation | undefined {
  if (!config.invite.ticket.ok || !config.mail.ok) return undefined;
  return { ticket: config.invite.ticket.value, mail: mailWithTransport(config, config.mail.value), templates: config.invite.templates };
}

/** Action mode: how long to wait for each invitation's record, or not at all. */
function confirmation(flags: InviteFlags): ConfirmationTiming | false {
  if (!flags.confirm) return false;
  return { settleMs: flags.confirmWithin * 1000, firstCheckMs: Math.min(DEFAULT_CONFIRMATION.firstCheckMs, flags.confirmWithin * 1000) };
}

/** How users of a connection are invited, in words. */
function invitedHow(config: AdminConfig, connection: string, direct: boolean): string {
  if (direct) return 'invited from this script (ticket + SendGrid)';
  const mode = config.invite.connections.get(connection) ?? config.invite.defaultMode;
  return `invited by the Action (${mode === 'ticket' ? 'ticket + SendGrid' : "Auth0's change-password email"})`;
}

function printSummary(summary: BulkInviteSummary, config: AdminConfig, flags: InviteFlags): void {
  const skipped = summary.existing + summary.doneEarlier;
  const failed = summary.failed + summary.invalid + summary.duplicates;
  const lines = summary.dryRun
    ? [
        `Dry run of ${summary.rows} rows: ${summary.wouldCreate} would be created and invited, ${failed} would fail ` +
          `(invalid ${summary.invalid}, duplicates ${summary.duplicates}, connection lookups failed ${summary.failed}).`,
        ...Object.entries(summary.byConnection).map(
          ([connection, count]) => `  ${connection}: ${count} users, ${invitedHow(config, connection, flags.direct === true)}`,
        ),
      ]
    : [
        `created ${summary.created}, invited ${summary.invited}${summary.resent > 0 ? ` (resent ${summary.resent})` : ''}, ` +
          (summary.awaitingAction > 0 ? `left to the Action unconfirmed ${summary.awaitingAction}, ` : '') +
          `skipped ${skipped} (existing ${summary.existing}, done earlier ${summary.doneEarlier}), ` +
          `failed ${failed} (invalid ${summary.invalid}, duplicates ${summary.duplicates}, errors ${summary.failed})`,
        `${summary.processed}/${summary.rows} rows in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.rowsPerSecond.toFixed(1)} rows/s); ` +
          `Management API: ${summary.requests.requests} requests, ${summary.requests.rateLimited} answered 429, ` +
          `${summary.requests.serverErrors} answered 5xx, ${summary.requests.retries} retried`,
      ];
  lines.push(`Report: ${summary.reportPath}`);
  if (summary.journalPath !== undefined) lines.push(`Journal: ${summary.journalPath}`);
  if (summary.interrupted) lines.push('Interrupted: run the same command again to resume where it stopped.');
  console.log(lines.join('\n'));
}

/** How the run sends, read before any request: a missing setting stops it (exit 2). */
function sendingSettings(
  config: AdminConfig,
  flags: InviteFlags,
  offline: boolean,
): { mode: 'action' | 'direct'; direct: DirectInvitation | undefined } {
  const mode = flags.direct === true ? 'direct' : 'action';
  const needsDirect = flags.dryRun !== true && (flags.direct === true || flags.resend === true);
  const direct = needsDirect ? directSettings(config, !offline) : flags.dryRun === true ? undefined : availableDirectSettings(config);
  return { mode, direct };
}

/** The CSV's rows, or the one user of the flags: the same run, the same report and summary. */
async function inviteRows(
  flags: InviteFlags,
  shell: CommandShell,
  config: AdminConfig,
  sending: ReturnType<typeof sendingSettings>,
  management: AdminManagement | undefined,
  connections: ConnectionDirectory,
  source: { csvPath: string } | { user: InviteRow },
): Promise<number> {
  const signal = shell.interruptible(() =>
    console.error('\nStopping after the rows in flight (Ctrl-C again to quit at once); the same command resumes.'),
  );
  const progressKind = flags.progress ?? 'auto';
  const progress =
    progressKind === 'none'
      ? undefined
      : createProgress({ label: 'rows', ...(progressKind === 'auto' ? {} : { tty: progressKind === 'bar' }) });
  const summary = await runBulkInvite({
    ...source,
    management,
    connections,
    mode: sending.mode,
    direct: sending.direct,
    resend: flags.resend === true,
    confirm: confirmation(flags),
    secondaryVerified: flags.secondaryVerified === true,
    application: flags.application,
    defaultConnection: flags.connection,
    dryRun: flags.dryRun === true,
    stateDir: flags.stateDir,
    reportPath: flags.report,
    durableJournal: flags.fsync === true,
    creationCost: actionModeCreationCost(config.invite),
    ...(flags.invitedBy !== undefined ? { invitedBy: flags.invitedBy } : {}),
    ...(flags.roles !== undefined ? { roles: flags.roles } : {}),
    signal,
    progress,
    log: (line) => (progress !== undefined ? progress.log(line) : console.error(line)),
  });
  printSummary(summary, config, flags);
  if (summary.interrupted) return EXIT.interrupted;
  return summary.failed + summary.invalid + summary.duplicates > 0 ? EXIT.failed : EXIT.ok;
}

async function inviteCsv(csv: string, flags: InviteFlags, shell: CommandShell): Promise<number> {
  const config = loadConfig(flags.env);
  const offline = flags.dryRun === true && flags.tenantDir !== undefined;
  const sending = sendingSettings(config, flags, offline);
  const management = offline ? undefined : connect(config, flags);
  const connections = offline ? connectionsFromConfig(flags.tenantDir!) : connectionsFromTenant(management!.client);
  return inviteRows(flags, shell, config, sending, management, connections, { csvPath: csv });
}

/** One user from flags: checked here (a bad user is a usage error, exit 2), then a one-row run of the same pipeline (no journal). */
async function inviteOne(flags: InviteFlags, shell: CommandShell): Promise<number> {
  const parsed = validateRecord(
    {
      email: flags.email,
      username: flags.username,
      name: flags.name,
      locale: flags.locale,
      secondary_email: flags.secondaryEmail,
      connection: flags.connection,
    },
    0,
  );
  if (!parsed.ok) {
    console.error(`Invalid user: ${parsed.errors.join('; ')}.`);
    return EXIT.usage;
  }
  const config = loadConfig(flags.env);
  const sending = sendingSettings(config, flags, false);
  const management = connect(config, flags);
  const connections = connectionsFromTenant(management.client);
  const connection = await connections.find(parsed.row.connection);
  if (connection === undefined) {
    console.error(`No database connection named ${parsed.row.connection}.`);
    return EXIT.usage;
  }
  const problems = connectionProblems(parsed.row, connection);
  if (problems.length > 0) {
    console.error(`Invalid user: ${problems.join('; ')}.`);
    return EXIT.usage;
  }
  return inviteRows(flags, shell, config, sending, management, connections, { user: parsed.row });
}

export const inviteCommand: CommandDefinition<InviteFlags> = {
  name: 'invite',
  program: inviteProgram,
  async run(flags, shell) {
    if (flags.csv !== undefined && flags.email !== undefined) return shell.usage('Give either --csv or --email, not both.');
    if (flags.application !== undefined && !/^[\w-]{1,64}$/.test(flags.application)) {
      return shell.usage(`--application takes a client id (letters, digits, - and _), not ${JSON.stringify(flags.application)}.`);
    }
    // The script's own invitation (--direct, --resend) is the default application's: only the Action reads app_metadata.app.
    if (flags.application !== undefined && (flags.direct === true || flags.resend === true)) {
      return shell.usage("--application works with the Action's invitations: leave out --direct and --resend.");
    }
    if (flags.csv !== undefined && !existsSync(flags.csv)) return shell.usage(`No CSV file at ${flags.csv}.`);
    if (flags.csv !== undefined) return inviteCsv(flags.csv, flags, shell);
    if (flags.email !== undefined) return inviteOne(flags, shell);
    return shell.showUsage();
  },
};
