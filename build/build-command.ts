import { Command } from 'commander';
import { EXIT, type CommandDefinition } from '../admin/cli';
import { formatBundleReport } from './bundle-report';
import { buildTenantBundle, parseEmailProviderChoice, ROOT, type EmailProviderChoice } from './tenant-bundle';

interface BuildFlags {
  emailProvider?: string;
  templateResultUrl?: boolean;
}

/**
 * `npm run build`: writes dist/tenant and prints each Action's size, trigger and dependencies.
 * `-- --email-provider custom` (or EMAIL_PROVIDER=custom) builds the tenant with Auth0's custom
 * email provider and the custom-email-provider Action bound, instead of the SendGrid provider.
 * `-- --template-result-url` gives the email templates their resultUrl, for a tenant whose
 * environment has `"templateResultUrl": true` (docs/invitation-landing.md).
 */
export const buildCommand: CommandDefinition<BuildFlags> = {
  name: 'build',
  program: () =>
    new Command('npm run build --')
      .description('Build dist/tenant for auth0-deploy-cli.')
      .option('--email-provider <name>', 'sendgrid (default) or custom (EMAIL_PROVIDER)', process.env.EMAIL_PROVIDER)
      .option(
        '--template-result-url',
        'give the email templates a resultUrl (only for enterprise tenants or tenants created before 2026-05-05)',
      ),

  async run(flags, shell) {
    const emailProvider = emailProviderFlag(flags.emailProvider);
    if (!emailProvider.ok) return shell.usage(emailProvider.message);
    const bundle = await buildTenantBundle(ROOT, {
      emailProvider: emailProvider.value,
      templateResultUrl: flags.templateResultUrl === true,
    });
    console.log(formatBundleReport(bundle));
    return EXIT.ok;
  },
};

/** `--email-provider` (npm run build, npm start): a wrong name is a usage error, named. */
export function emailProviderFlag(value: string | undefined): { ok: true; value: EmailProviderChoice } | { ok: false; message: string } {
  try {
    return { ok: true, value: parseEmailProviderChoice(value) };
  } catch (error) {
    return { ok: false, message: `--email-provider: ${(error as Error).message}` };
  }
}
