import { relative } from 'node:path';
import { ACTION_SIZE_TARGET_BYTES, AUTH0_CODE_LIMIT_BYTES } from './bundle-actions';
import { ROOT, type TenantBundle } from './tenant-bundle';

/** The bundle report: each Action's trigger, size against the limits, and declared dependencies. */
export function formatBundleReport(bundle: TenantBundle): string {
  const lines = [`Built ${relative(ROOT, bundle.outDir)} (auth0-deploy-cli directory format)`, ''];
  for (const action of bundle.actions) {
    const kb = (action.bytes / 1024).toFixed(1);
    const share = ((action.bytes / AUTH0_CODE_LIMIT_BYTES) * 100).toFixed(1);
    const flag = action.bytes > ACTION_SIZE_TARGET_BYTES ? `  OVER the ${ACTION_SIZE_TARGET_BYTES / 1024} kB target` : '';
    lines.push(`  ${action.manifest.name}`);
    lines.push(`    trigger       ${action.manifest.trigger.id} ${action.manifest.trigger.version}`);
    lines.push(`    code.js       ${action.bytes} bytes (${kb} kB, ${share}% of Auth0's 100 kB limit)${flag}`);
    lines.push(`    dependencies  ${action.dependencies.map((d) => `${d.name}@${d.version}`).join(', ')}`);
    lines.push(`    secrets       ${action.manifest.secrets.length} (${action.manifest.secrets.join(', ')})`);
  }
  lines.push(
    '',
    `  email provider  ${bundle.emailProvider ?? '(none)'}${bundle.emailProvider === 'custom' ? ' (delivered by the custom-email-provider Action)' : ''}`,
  );
  lines.push('', '  trigger bindings');
  for (const [trigger, bindings] of Object.entries(bundle.triggers)) {
    lines.push(`    ${trigger}: ${bindings.map((b) => b.action_name).join(' -> ')}`);
  }
  return lines.join('\n');
}
