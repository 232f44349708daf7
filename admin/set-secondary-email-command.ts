import { Command } from 'commander';
import { connect, EXIT, loadConfig, withEnvironment, type CommandDefinition } from './cli';
import { findOneUser } from './find-user';
import { secondaryEmailProblem, setSecondaryEmail } from './secondary-email';

interface SetSecondaryEmailFlags {
  env: string;
  username?: string;
  userId?: string;
  email?: string;
  connection?: string;
  secondaryEmail?: string;
  verified?: boolean;
  remove?: boolean;
}

/**
 * `npm run set-secondary-email`: stores a secondary address in `app_metadata.secondary_email`
 * (never user_metadata, which the user can change), with `secondary_email_verified`.
 */
export const setSecondaryEmailCommand: CommandDefinition<SetSecondaryEmailFlags> = {
  name: 'set-secondary-email',
  program: () =>
    withEnvironment(
      new Command('npm run set-secondary-email --')
        .description('Store (or remove) the secondary email of a user, to which password resets can be sent.')
        .option('--username <name>', 'the user, by username')
        .option('--user-id <id>', 'the user, by id')
        .option('--email <address>', 'the user, by login email (several users on a non-unique connection: use --username)')
        .option('--connection <name>', 'the connection, when the username exists on several')
        .option('--secondary-email <address>', 'the secondary address')
        .option('--verified', 'you confirmed the address reaches the user: secondary_email_verified becomes true (else false)')
        .option('--remove', 'remove the secondary address'),
    ).addHelpText(
      'after',
      `
The address goes to app_metadata.secondary_email, which only administrators and Actions can
write. secondary_email_verified is written with it: true only with --verified, so a changed
address is never taken as verified. The custom-email-provider Action sends self-service resets
there only when it is verified; npm run reset-password (support) sends there either way.
Exit code: 0 done, 1 unknown user or refused update, 2 usage or configuration error.`,
    ),

  async run(flags, shell) {
    if ((flags.secondaryEmail === undefined) === (flags.remove !== true))
      return shell.usage('Give --secondary-email <address> or --remove.');
    if (flags.remove === true && flags.verified === true) return shell.usage('--verified goes with --secondary-email, not with --remove.');
    // Before the configuration and the user lookup: a bad address costs no Management API request.
    const problem = flags.secondaryEmail === undefined ? undefined : secondaryEmailProblem(flags.secondaryEmail);
    if (problem !== undefined) return shell.usage(`--secondary-email: ${problem} Nothing was looked up or changed.`);
    const config = loadConfig(flags.env);
    const management = connect(config);
    const user = await findOneUser(management, {
      username: flags.username,
      id: flags.userId,
      email: flags.email,
      connection: flags.connection,
    });
    await setSecondaryEmail(management, user, { email: flags.secondaryEmail ?? null, verified: flags.verified === true });
    const account = `${user.username ?? '(no username)'} (${user.user_id})`;
    console.log(
      flags.remove === true
        ? `Removed the secondary email of ${account}.`
        : `Stored the secondary email of ${account}, ${flags.verified === true ? 'marked verified' : 'not marked verified'}.`,
    );
    return EXIT.ok;
  },
};
