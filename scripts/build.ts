import { Command } from 'commander';
import { buildTenantBundle, parseEmailProviderChoice, ROOT } from '../build/tenant-bundle';
import { formatBundleReport } from '../build/bundle-report';

/**
 * `npm run build`: writes dist/tenant and prints each Action's size, trigger and dependencies.
 * `-- --email-provider custom` (or EMAIL_PROVIDER=custom) builds the tenant with Auth0's custom
 * email provider and the custom-email-provider Action bound, instead of the SendGrid provider.
 * `-- --template-result-url` gives the email templates their resultUrl, for a tenant whose
 * environment has `"templateResultUrl": true` (docs/invitation-landing.md).
 */
const options = new Command('npm run build --')
  .description('Build dist/tenant for auth0-deploy-cli.')
  .option('--email-provider <name>', 'sendgrid (default) or custom (EMAIL_PROVIDER)', process.env.EMAIL_PROVIDER)
  .option(
    '--template-result-url',
    'give the email templates a resultUrl (only for enterprise tenants or tenants created before 2026-05-05)',
  )
  .parse()
  .opts<{ emailProvider?: string; templateResultUrl?: boolean }>();

Promise.resolve()
  .then(() =>
    buildTenantBundle(ROOT, {
      emailProvider: parseEmailProviderChoice(options.emailProvider),
      templateResultUrl: options.templateResultUrl === true,
    }),
  )
  .then((bundle) => console.log(formatBundleReport(bundle)))
  .catch((error: unknown) => {
    console.error(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
