import { Command } from 'commander';
import { join } from 'node:path';
import { EXIT, type CommandDefinition } from '../admin/cli';
import { environmentNames } from '../build/environments';
import { ROOT } from '../build/tenant-bundle';
import { deploy, DeployFailed, DeployRefused } from './deploy';
import { loadDotenvFiles } from './dotenv-files';

interface DeployFlags {
  env: string;
  plan?: boolean;
  build: boolean;
}

/**
 * `npm run deploy -- --env <name> [--plan]`: builds, checks, plans and deploys the tenant
 * configuration to the tenant of environments/<name>.json with auth0-deploy-cli. Exit 0 when
 * deployed (or planned), 1 when refused or failed, 2 on bad arguments.
 */
export const deployCommand: CommandDefinition<DeployFlags> = {
  name: 'deploy',
  program: () =>
    new Command('npm run deploy --')
      .description('Build, check, plan and deploy the tenant configuration to one environment with auth0-deploy-cli.')
      .requiredOption('--env <name>', `environment: ${environmentNames().join(', ')} (environments/<name>.json)`)
      .option('--plan', "show what would change (deploy-cli's dry run) and stop: nothing is written")
      .option('--no-build', 'deploy the existing dist/tenant (from npm run build) instead of building afresh')
      .addHelpText(
        'after',
        `
Variables come from the process environment, then .env.<name>, then .env (both gitignored);
.env.example lists every one. EMAIL_PROVIDER=custom builds the custom email provider variant,
as for npm run build. Before anything is written the deploy refuses when a placeholder
has no value, an email template fails to render, an Action is over Auth0's size limit, or a
connection change is one Auth0 cannot make or would orphan users.`,
      ),

  async run(flags, shell) {
    if (!environmentNames().includes(flags.env)) {
      return shell.usage(`Unknown environment "${flags.env}": use one of ${environmentNames().join(', ')}.`);
    }
    const loaded = loadDotenvFiles(ROOT, flags.env);
    if (loaded.length > 0) console.log(`Read ${loaded.join(' and ')}.`);
    await deploy({
      environment: flags.env,
      planOnly: flags.plan === true,
      ...(flags.build ? {} : { bundleDir: join(ROOT, 'dist', 'tenant') }),
      print: (text) => console.log(text),
      onDeployCliOutput: (chunk) => process.stdout.write(chunk),
    });
    return EXIT.ok;
  },

  // The refusal or failure says what happened and what was (not) written: its own message.
  failure: (error) =>
    error instanceof DeployRefused || error instanceof DeployFailed ? { code: EXIT.failed, message: `\n${error.message}` } : undefined,
};
