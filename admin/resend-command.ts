import { Command } from 'commander';
import { requireSettings, type AdminConfig } from './admin-config';
import {
  ask,
  connect,
  EXIT,
  mailWithTransport,
  loadConfig,
  withEnvironment,
  withRateOptions,
  type CommandDefinition,
  type RateOptions,
} from './cli';
import { findOneUserAsking } from './find-user';
import {
  PENDING_INVITATIONS_QUERY,
  pendingInvitations,
  resendToMatching,
  resendToUser,
  usersMatching,
  type ResendKind,
  type ResendOutcome,
  type ResendSettings,
} from './resend';

interface ResendFlags extends RateOptions {
  env: string;
  userId?: string;
  username?: string;
  email?: string;
  connection?: string;
  pending?: boolean;
  query?: string;
  verification?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

function kindOf(flags: ResendFlags): ResendKind {
  return flags.verification === true ? 'verification' : 'invitation';
}

function settingsFor(config: AdminConfig, kind: ResendKind): ResendSettings {
  if (kind === 'invitation') {
    const { ticket, mail } = requireSettings(config, { ticket: config.invite.ticket, mail: config.mail, management: config.management });
    return { invitation: { ticket, mail: mailWithTransport(config, mail), templates: config.invite.templates } };
  }
  const { verify, mail } = requireSettings(config, { verify: config.verify.verify, mail: config.mail, management: config.management });
  return {
    verification: {
      templateId: verify.templateId,
      ttlSec: verify.ttlSec,
      resultUrl: verify.resultUrl,
      appName: config.invite.ticket.ok ? (config.invite.ticket.value.appName ?? '') : '',
      mail: mailWithTransport(config, mail),
      templates: config.verify.templates,
    },
  };
}

function describe(outcome: ResendOutcome, kind: ResendKind): string {
  const who = `${outcome.username ?? '(no username)'} ${outcome.userId}${outcome.connection !== undefined ? ` on ${outcome.connection}` : ''}`;
  const what = { sent: `${kind} sent`, would_send: `would send the ${kind}`, skipped: 'skipped', failed: 'failed' }[outcome.status];
  return `${who}: ${what}${outcome.reason !== undefined ? ` (${outcome.reason})` : ''}`;
}

/**
 * `npm run resend`: the invitation (default) or the verification email again, from this script
 * (ticket + SendGrid), to one user or to every user a search matches.
 */
export const resendCommand: CommandDefinition<ResendFlags> = {
  name: 'resend',
  program: () =>
    withRateOptions(
      withEnvironment(
        new Command('npm run resend --')
          .description('Send the invitation or the verification email again, to one user or to every user matching a search.')
          .option('--user-id <id>', 'the user, by id')
          .option('--username <name>', 'the user, by username')
          .option('--email <address>', 'the user, by email (on a connection with non-unique emails, add --username)')
          .option('--connection <name>', 'only users of this connection')
          .option('--pending', `every invited user who never logged in (export job, or search: ${PENDING_INVITATIONS_QUERY})`)
          .option('--query <lucene>', 'every user matching this Auth0 user search (v3), e.g. "logins_count:0"')
          .option('--verification', 'send the verification email instead of the invitation')
          .option('--force', 'also to users who already logged in (invitation) or are verified (verification)')
          .option('--dry-run', 'list who would get the email; send nothing'),
      ),
    ).addHelpText(
      'after',
      `
Examples:
  npm run resend -- --username kid1 --connection shared-inbox
  npm run resend -- --pending --connection members --dry-run
  npm run resend -- --email ada@example.com --verification

Users are listed by username and user id, never by email. Any number of users: --pending reads
an export job (search where the plan has none), --query reads the search in windows of
created_at under Auth0's 1,000-result cap. Each user is read again by id before the email goes
out (search trails writes by seconds). See docs/search-and-exports.md.
Exit code: 0 when every email was sent (or skipped), 1 on a failure or an unknown user, 2 for a usage or
configuration error (and for an email several users share, without a terminal to ask which).`,
    ),

  async run(flags, shell) {
    const single = [flags.userId, flags.username, flags.email].filter((v) => v !== undefined).length;
    const many = [flags.pending, flags.query].filter((v) => v !== undefined).length;
    if (single + many === 0) return shell.showUsage();
    if (many > 1 || (many > 0 && single > 0) || single > 1) {
      return shell.usage('Give one of --user-id, --username, --email, --pending, --query.');
    }
    const config = loadConfig(flags.env);
    const kind = kindOf(flags);
    const settings = flags.dryRun === true ? {} : settingsFor(config, kind);
    const options = { kind, force: flags.force === true, dryRun: flags.dryRun === true };

    if (single === 1) {
      const management = connect(config, flags);
      // Several users sharing the email: the username is asked on a terminal, else the list is shown and it exits 2.
      const user = await findOneUserAsking(
        management,
        {
          id: flags.userId,
          username: flags.username,
          email: flags.email,
          connection: flags.connection,
        },
        { ask: (question) => ask(question), print: (text) => console.error(text) },
      );
      const outcome = await resendToUser(management, settings, user, options);
      console.log(describe(outcome, kind));
      return outcome.status === 'failed' ? EXIT.failed : EXIT.ok;
    }

    const signal = shell.interruptible(() => console.error('\nStopping after the emails in flight (Ctrl-C again to quit at once).'));
    const management = connect(config, flags);
    const users =
      flags.pending === true
        ? pendingInvitations(management, flags.connection, {
            onSource: (source) =>
              console.error(source === 'export' ? 'Listing users with an export job.' : 'Listing users with user search.'),
          })
        : usersMatching(management, flags.query!, flags.connection);
    const summary = await resendToMatching(management, settings, users, {
      ...options,
      signal,
      onUser: (outcome) => console.log(describe(outcome, kind)),
    });
    console.log(
      `${summary.matched} users matched: ${flags.dryRun === true ? `${summary.wouldSend} would get it` : `${summary.sent} sent`}, ` +
        `${summary.skipped} skipped, ${summary.failed} failed${summary.interrupted ? ' (interrupted)' : ''}.`,
    );
    if (summary.interrupted) return EXIT.interrupted;
    return summary.failed > 0 ? EXIT.failed : EXIT.ok;
  },
};
