import { join } from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { requireSettings } from './admin-config';
import { DEFAULT_STATE_DIR } from './bulk-invite';
import {
  ask,
  connect,
  EXIT,
  loadConfig,
  mailWithTransport,
  withEnvironment,
  withRateOptions,
  type CommandDefinition,
  type CommandShell,
  type RateOptions,
} from './cli';
import { findOneUserAsking, type FoundUser } from './find-user';
import { INVITATION_STATES, invitationOf, parseDuration, type InvitationState } from './invitation-state';
import {
  formatInvitations,
  listInvitations,
  revokeInvitation,
  RevokeRefusedError,
  selected,
  type InvitationSelection,
} from './invitations';
import type { AdminManagement } from './management';
import { ReportWriter, type RowReport } from './report';
import { resendToMatching, type ResendOutcome } from './resend';
import { invitedUsers } from './user-listing';

/**
 * `npm run invitations -- list | resend | revoke`: invitations as things with a state
 * (admin/invitation-state.ts). `resend` is `npm run resend`'s sending (admin/resend.ts), to the
 * invitations a state selects; `npm run resend` stays for one user, a search, or the verification email.
 */

const ACTIONS = ['list', 'resend', 'revoke'] as const;
type InvitationsAction = (typeof ACTIONS)[number];

/** How long after an invitation went out `resend` leaves the user alone, by default. */
const DEFAULT_WINDOW = '1h';

interface InvitationsFlags extends RateOptions {
  env: string;
  action: InvitationsAction;
  status?: InvitationState;
  connection?: string;
  olderThan?: number;
  format: 'table' | 'csv' | 'json';
  expired?: boolean;
  pending?: boolean;
  window: number;
  dryRun?: boolean;
  report?: string;
  stateDir: string;
  userId?: string;
  username?: string;
  email?: string;
  how?: 'block' | 'delete';
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('give a duration: a number and d, h, m or s (e.g. 3d, 12h).');
  return ms;
}

function invitationsProgram(): Command {
  const program = withRateOptions(
    withEnvironment(
      new Command('npm run invitations --')
        .description('List invitations by state (pending, accepted, expired, revoked), send the expired or old ones again, revoke one.')
        .addArgument(new Argument('<action>', 'list, resend or revoke').choices(ACTIONS))
        .addOption(new Option('--status <state>', 'list: only invitations in this state').choices(INVITATION_STATES))
        .option('--connection <name>', 'only users of this connection')
        .option('--older-than <duration>', 'list, resend: only invitations sent at least this long ago (e.g. 3d, 12h)', duration)
        .addOption(new Option('--format <format>', 'list: table, csv or json').choices(['table', 'csv', 'json']).default('table'))
        .option('--expired', 'resend: to every expired invitation')
        .option('--pending', 'resend: to every pending invitation (with --older-than: only the old ones)')
        .option(
          '--window <duration>',
          `resend: never to a user whose invitation went out less than this long ago (default ${DEFAULT_WINDOW})`,
          duration,
          parseDuration(DEFAULT_WINDOW),
        )
        .option('--dry-run', 'resend: list who would get it; send nothing')
        .option('--report <file>', 'resend: the report (JSON lines); default .admin-runs/invitations-resend-<time>.report.jsonl')
        .option('--state-dir <dir>', 'resend: where the default report goes', DEFAULT_STATE_DIR)
        .option('--user-id <id>', 'revoke: the user, by id')
        .option('--username <name>', 'revoke: the user, by username')
        .option('--email <address>', 'revoke: the user, by email (on a connection with non-unique emails, add --username)')
        .addOption(
          new Option('--how <how>', 'revoke: block the account, or delete it (only if it never logged in); required').choices([
            'block',
            'delete',
          ]),
        ),
    ),
  ).addHelpText(
    'after',
    `
Examples:
  npm run invitations -- list
  npm run invitations -- list --status expired --connection members --format csv
  npm run invitations -- resend --expired
  npm run invitations -- resend --pending --older-than 3d --dry-run
  npm run invitations -- revoke --username kid1 --connection shared-inbox --how block

States (docs/invitations.md): pending (sent, link valid, no login yet), accepted (a login after it),
expired (the link's lifetime passed first), revoked (by this command). Any number of users: an
export job where the plan has one, else search in windows under Auth0's 1,000-result cap.
Exit code: 0 done, 1 a failure (a send, an unknown user, a refused revoke), 2 a usage or configuration error.`,
  );
  // The action is the command line's one argument: kept with the flags, which is what a command's run gets.
  return program.action(function (this: Command, action: InvitationsAction) {
    this.setOptionValue('action', action);
  });
}

function invitedFrom(management: AdminManagement, connection: string | undefined): AsyncGenerator<FoundUser> {
  return invitedUsers(management, () => true, connection, {
    onSource: (source) => console.error(source === 'export' ? 'Listing users with an export job.' : 'Listing users with user search.'),
  });
}

async function list(flags: InvitationsFlags): Promise<number> {
  const config = loadConfig(flags.env);
  const management = connect(config, flags);
  const selection: InvitationSelection = {
    ...(flags.status !== undefined ? { status: flags.status } : {}),
    ...(flags.olderThan !== undefined ? { olderThanMs: flags.olderThan } : {}),
  };
  const result = await listInvitations(invitedFrom(management, flags.connection), selection, Date.now());
  console.log(formatInvitations(result, flags.format));
  return EXIT.ok;
}

function describe(outcome: ResendOutcome): string {
  const who = `${outcome.username ?? '(no username)'} ${outcome.userId}${outcome.connection !== undefined ? ` on ${outcome.connection}` : ''}`;
  const what = { sent: 'invitation sent', would_send: 'would send the invitation', skipped: 'skipped', failed: 'failed' }[outcome.status];
  return `${who}: ${what}${outcome.reason !== undefined ? ` (${outcome.reason})` : ''}`;
}

const REPORT_STATUS = { sent: 'resent', would_send: 'would_resend', skipped: 'skipped', failed: 'failed' } as const;

async function resend(flags: InvitationsFlags, shell: CommandShell): Promise<number> {
  if ((flags.expired === true) === (flags.pending === true)) return shell.usage('resend: give one of --expired, --pending.');
  if (flags.status !== undefined) return shell.usage('resend: --status is for list; give --expired or --pending.');
  const status: InvitationState = flags.expired === true ? 'expired' : 'pending';
  const selection: InvitationSelection = { status, ...(flags.olderThan !== undefined ? { olderThanMs: flags.olderThan } : {}) };
  const config = loadConfig(flags.env);
  const settings =
    flags.dryRun === true
      ? {}
      : (() => {
          const { ticket, mail } = requireSettings(config, {
            ticket: config.invite.ticket,
            mail: config.mail,
            management: config.management,
          });
          return { invitation: { ticket, mail: mailWithTransport(config, mail), templates: config.invite.templates } };
        })();
  const signal = shell.interruptible(() => console.error('\nStopping after the emails in flight (Ctrl-C again to quit at once).'));
  const management = connect(config, flags, signal);
  const started = Date.now();
  const users = invitedUsers(
    management,
    (user) => {
      const invitation = invitationOf(user, started);
      return invitation !== undefined && selected(invitation, user, selection, started);
    },
    flags.connection,
    { onSource: (source) => console.error(source === 'export' ? 'Listing users with an export job.' : 'Listing users with user search.') },
  );
  const reportPath =
    flags.report ?? join(flags.stateDir, `invitations-resend-${new Date(started).toISOString().replace(/[:.]/g, '-')}.report.jsonl`);
  const report = new ReportWriter(reportPath);
  let line = 0;
  try {
    const summary = await resendToMatching(management, settings, users, {
      kind: 'invitation',
      dryRun: flags.dryRun === true,
      signal,
      // Decided on the user as read by id just before sending: the listing may be seconds old.
      skipReason: (user) => {
        const now = Date.now();
        const invitation = invitationOf(user, now);
        if (invitation === undefined) return 'not_invited';
        if (invitation.sentAt !== undefined && now - Date.parse(invitation.sentAt) < flags.window) return 'sent_within_window';
        if (!selected(invitation, user, selection, now)) return `now_${invitation.state}`;
        return undefined;
      },
      onUser: (outcome) => {
        console.log(describe(outcome));
        line += 1;
        const row: RowReport = {
          line,
          status: REPORT_STATUS[outcome.status],
          user_id: outcome.userId,
          ...(outcome.username !== undefined ? { username: outcome.username } : {}),
          ...(outcome.connection !== undefined ? { connection: outcome.connection } : {}),
          ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
        };
        report.row(row);
      },
    });
    report.summary({ ...summary, selection: status, olderThanMs: flags.olderThan ?? null, windowMs: flags.window });
    console.log(
      `${summary.matched} ${status} invitations: ${flags.dryRun === true ? `${summary.wouldSend} would be sent again` : `${summary.sent} sent again`}, ` +
        `${summary.skipped} skipped, ${summary.failed} failed${summary.interrupted ? ' (interrupted: run the same command again to go on)' : ''}.\nReport: ${reportPath}`,
    );
    if (summary.interrupted) return EXIT.interrupted;
    return summary.failed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    report.close();
  }
}

async function revoke(flags: InvitationsFlags, shell: CommandShell): Promise<number> {
  const given = [flags.userId, flags.username, flags.email].filter((v) => v !== undefined).length;
  if (given !== 1) return shell.usage('revoke: give one of --user-id, --username, --email.');
  if (flags.how === undefined)
    return shell.usage('revoke: say how with --how block (the account is blocked) or --how delete (deleted; only if it never logged in).');
  const config = loadConfig(flags.env);
  const management = connect(config, flags);
  const user = await findOneUserAsking(
    management,
    {
      ...(flags.userId !== undefined ? { id: flags.userId } : {}),
      ...(flags.username !== undefined ? { username: flags.username } : {}),
      ...(flags.email !== undefined ? { email: flags.email } : {}),
      ...(flags.connection !== undefined ? { connection: flags.connection } : {}),
    },
    { ask: (question) => ask(question), print: (text) => console.error(text) },
  );
  const before = invitationOf(user, Date.now());
  const who = `${user.username ?? '(no username)'} ${user.user_id}`;
  if (before === undefined) console.error(`${who} has no invitation record; revoking all the same.`);
  const done = await revokeInvitation(management, user, flags.how);
  console.log(
    done.how === 'block'
      ? `${who}: invitation revoked (was ${before?.state ?? 'none'}): the account is blocked, so its link can set a password but no login succeeds; recorded as revoked. Unblock it in the Dashboard to undo.`
      : `${who}: invitation revoked (was ${before?.state ?? 'none'}): the account, which never logged in, is deleted, so its link leads nowhere. Nothing is left to list.`,
  );
  return EXIT.ok;
}

export const invitationsCommand: CommandDefinition<InvitationsFlags> = {
  name: 'invitations',
  program: invitationsProgram,
  run(flags, shell) {
    if (flags.action === 'list') return list(flags);
    if (flags.action === 'resend') return resend(flags, shell);
    return revoke(flags, shell);
  },
  failure(error) {
    return error instanceof RevokeRefusedError ? { code: EXIT.failed, message: `invitations failed: ${error.message}` } : undefined;
  },
};
