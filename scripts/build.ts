import { Command } from 'commander';
import { buildTenantBundle, parseEmailProviderChoice, ROOT } from '../build/tenant-bundle';
import { formatBundleReport } from '../build/bundle-report';

/**
 * `npm run build`: writes dist/tenant and prints each Action's size, trigger and dependencies.
 * `-- --email-provider custom` (or EMAIL_PROVIDER=custom) builds the tenant with Auth0's custom
 * email provider and the custom-email-provider Action bound, instead of the SendGrid provider.
 */
const options = new Command('npm run build --')
  .description('Build dist/tenant for auth0-deploy-cli.')
  .option('--email-provider <name>', 'sendgrid (default) or custom (EMAIL_PROVIDER)', process.env.EMAIL_PROVIDER)
  .parse()
  .opts<{ emailProvider?: string }>();

Promise.resolve()
  .then(() => buildTenantBundle(ROOT, { emailProvider: parseEmailProviderChoice(options.emailProvider) }))
  .then((bundle) => console.log(formatBundleReport(bundle)))
  .catch((error: unknown) => {
    console.error(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
