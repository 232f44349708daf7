import { buildTenantBundle } from '../build/tenant-bundle';
import { formatBundleReport } from '../build/bundle-report';

/** `npm run build`: writes dist/tenant and prints each Action's size, trigger and dependencies. */
buildTenantBundle()
  .then((bundle) => console.log(formatBundleReport(bundle)))
  .catch((error: unknown) => {
    console.error(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
