import { Command } from 'commander';
import { requireSettings } from './admin-config';
import { connect, EXIT, loadConfig, mailWithTransport, withEnvironment, type CommandDefinition } from './cli';
import { PasswordResetError, sendPasswordReset } from './secondary-email-reset';

interface ResetPasswordFlags {
  env: string;
  username?: string;
  connection?: string;
  userId?: string;
  email?: string;
  toPrimary?: boolean;
}

/**
 * `npm run reset-password`: finds the user by username, creates a password-change ticket for the
 * user id and sends it with SendGrid to the user's secondary email (the login email only with
 * --to-primary, when there is no secondary one). Works on connections with non-unique emails.
 */
export const resetPasswordCommand: CommandDefinition<ResetPasswordFlags> = {
  name: 'reset-password',
  program: () =>
    withEnvironment(
      new Command('npm run reset-password --')
        .description("Send a password-reset link to a user's secondary email, found by username.")
        .option('--username <name>', 'the account, by username')
        .option('--connection <name>', 'the connection, when the username exists on several')
        .option('--user-id <id>', 'the account, by user id (instead of --username)')
        .option('--email <address>', 'the account, by login email, on a connection with unique emails (instead of --username)')
        .option('--to-primary', 'when the user has no secondary email, send to the login email instead'),
    ).addHelpText(
      'after',
      `
The email names the account's username, and the link expires after PASSWORD_RESET_TTL_SEC
(default one day). The secondary address is used whether or not it is marked verified (the
output says which); the login email only with --to-primary and only without a secondary one.
Exit code: 0 sent, 1 unknown user, no secondary email or a refused request, 2 usage or configuration error.`,
    ),

  async run(flags, shell) {
    if ([flags.username, flags.userId, flags.email].filter((v) => v !== undefined).length !== 1) {
      return shell.usage('Give the account: --username <name> (or --user-id <id>, or --email <address>).');
    }
    const config = loadConfig(flags.env);
    // Every missing setting named at once, the Management API credentials included.
    const { reset, mail } = requireSettings(config, { management: config.management, reset: config.passwordReset, mail: config.mail });
    const management = connect(config);
    const result = await sendPasswordReset(
      management,
      { reset, mail: mailWithTransport(config, mail) },
      {
        username: flags.username,
        id: flags.userId,
        email: flags.email,
        connection: flags.connection,
        toPrimary: flags.toPrimary === true,
      },
    );
    const to =
      result.recipient === 'secondary'
        ? `its secondary email (${result.secondaryVerified ? 'verified' : 'not marked verified'})`
        : 'its login email (--to-primary)';
    console.log(
      `Sent a password-reset link for account ${result.username ?? '(no username)'} (${result.userId}` +
        `${result.connection !== undefined ? ` on ${result.connection}` : ''}) to ${to}; it expires at ${result.expiresAt}.`,
    );
    return EXIT.ok;
  },

  failure: (error) => (error instanceof PasswordResetError ? { code: EXIT.failed, message: error.message } : undefined),
};
