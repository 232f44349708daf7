import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATE_RESULT_URL_SETTING, type EnvironmentDescription } from '../build/environments';

/**
 * Auth0 answers 403 `Customizations for resultUrl are not allowed for non-enterprise tenants` to
 * any email template `resultUrl` on a non-enterprise tenant created on or after 2026-05-05
 * (docs-v2 customize/email/email-templates/customize-email-templates.mdx). Whether a tenant
 * allows it is the environment's `templateResultUrl`; these checks keep the bundle and the
 * setting in step, and name the setting when a tenant refuses anyway.
 */
const RESULT_URL_REFUSAL = 'Customizations for resultUrl are not allowed for non-enterprise tenants';

/** The `emails/<template>.json` files of a bundle that set a non-empty `resultUrl`. */
export function templatesWithResultUrl(bundleDir: string): string[] {
  const emails = join(bundleDir, 'emails');
  if (!existsSync(emails)) return [];
  return readdirSync(emails)
    .filter((file) => file.endsWith('.json') && file !== 'provider.json')
    .filter((file) => /"resultUrl"\s*:\s*"[^"]/.test(readFileSync(join(emails, file), 'utf8')))
    .map((file) => `emails/${file}`)
    .sort();
}

/** A bundle built with template resultUrl, for an environment that does not allow it: refused before any request. */
export function templateResultUrlProblems(bundleDir: string, environment: EnvironmentDescription): string[] {
  if (environment.templateResultUrl === true) return [];
  const files = templatesWithResultUrl(bundleDir);
  if (files.length === 0) return [];
  return [
    `${files.join(', ')} set a template resultUrl, but environments/${environment.name}.json does not allow one ` +
      `("${TEMPLATE_RESULT_URL_SETTING}" is not true): Auth0 refuses it on non-enterprise tenants created on or after 2026-05-05. ` +
      'Build without --template-result-url (npm run build), or deploy without --no-build.',
  ];
}

/** What to change, from deploy-cli's output of a failed import: one line per refusal this project knows. */
export function refusalAdvice(importOutput: string, environment: EnvironmentDescription): string[] {
  if (!importOutput.includes(RESULT_URL_REFUSAL)) return [];
  return [
    `The tenant refused the email templates' resultUrl (403 "${RESULT_URL_REFUSAL}"): it is neither on an enterprise ` +
      `subscription nor created before 2026-05-05. Set "${TEMPLATE_RESULT_URL_SETTING}": false in environments/${environment.name}.json ` +
      'and deploy again; invited users still land on the application (docs/invitation-landing.md).',
  ];
}
