import { formatBundleReport } from '../build/bundle-report';
import { buildTenantBundle } from '../build/tenant-bundle';

/**
 * `npm start`: builds dist/tenant and prints the bundle report. (The local tenant of issue 3
 * takes over this command once it can deploy and run the bundle.)
 */
buildTenantBundle()
  .then((bundle) => {
    console.log(formatBundleReport(bundle));
    console.log('\nNext: `npm test` runs every test; see README.md "Deploying" for a real tenant.');
  })
  .catch((error: unknown) => {
    console.error(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
