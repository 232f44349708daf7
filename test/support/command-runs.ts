/**
 * The commands run in this process, as the shell runs them (runCommandLine with the command's
 * definition): what an entry point in scripts/ does, without a process of its own. A child
 * process costs seconds of CPU (tsx loading TypeScript); this costs milliseconds. Suites that
 * check a command as a whole keep one real child per command (test/properties/script-arguments).
 */
import { format } from 'node:util';
import { runCommandLine, type CommandDefinition } from '../../admin/cli';
import { resendCommand } from '../../admin/resend-command';
import { resetPasswordCommand } from '../../admin/reset-password-command';
import { setSecondaryEmailCommand } from '../../admin/set-secondary-email-command';
import { buildCommand } from '../../build/build-command';
import { previewCommand } from '../../build/preview-command';
import { deployCommand } from '../../deploy/deploy-command';
import { startCommand } from '../../local-tenant/start-command';
import { inviteCommand } from '../../admin/invite-command';
import { invitationsCommand } from '../../admin/invitations-command';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own flags
const COMMANDS: Record<string, CommandDefinition<any>> = {
  build: buildCommand,
  start: startCommand,
  deploy: deployCommand,
  preview: previewCommand,
  invite: inviteCommand,
  resend: resendCommand,
  invitations: invitationsCommand,
  'set-secondary-email': setSecondaryEmailCommand,
  'reset-password': resetPasswordCommand,
};

interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Both, in the order written. */
  output: string;
}

/**
 * Runs `npm run <script> -- <args>` in this process, in `cwd`, with exactly `env` as its
 * environment (a child's would be no more); what it prints, collected.
 */
export async function runInProcess(
  script: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CommandRun> {
  const definition = COMMANDS[script];
  if (definition === undefined) throw new Error(`No command ${script}`);
  const run = { stdout: '', stderr: '', output: '' };
  const write = (stream: 'stdout' | 'stderr') => (text: string) => {
    run[stream] += text;
    run.output += text;
  };
  const spies = [
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => write('stdout')(`${format(...parts)}\n`)),
    jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => write('stderr')(`${format(...parts)}\n`)),
  ];
  const [cwd, env] = [process.cwd(), process.env];
  process.chdir(options.cwd);
  process.env = options.env;
  try {
    const code = await runCommandLine(definition, args, { writeOut: write('stdout'), writeErr: write('stderr') });
    return { code, ...run };
  } finally {
    process.env = env;
    process.chdir(cwd);
    for (const spy of spies) spy.mockRestore();
  }
}
