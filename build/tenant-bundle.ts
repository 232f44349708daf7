import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { bundleAction, findActions, type BundledAction } from './bundle-actions';
import { invitationModeProblems } from './check-invitation-modes';
import { environmentNames, literalValue, loadEnvironment } from './environments';
import { readDatabaseConnections } from './tenant-connections';
import { emailProviderProblems, triggerBindingProblems, type TriggerBindings } from './trigger-bindings';

export const ROOT = join(__dirname, '..');

/**
 * Which email provider the tenant uses: Auth0's SendGrid integration (`tenant/emails/provider.json`,
 * the default), or Auth0's custom email provider with the custom-email-provider Action, whose
 * files are in `tenant-variants/custom-email-provider/`.
 */
export type EmailProviderChoice = 'sendgrid' | 'custom';
const EMAIL_PROVIDER_CHOICES: readonly EmailProviderChoice[] = ['sendgrid', 'custom'];
const VARIANT_OF: Record<EmailProviderChoice, string | undefined> = { sendgrid: undefined, custom: 'custom-email-provider' };

export function parseEmailProviderChoice(value: string | undefined): EmailProviderChoice {
  if (value === undefined || value === '') return 'sendgrid';
  if ((EMAIL_PROVIDER_CHOICES as readonly string[]).includes(value)) return value as EmailProviderChoice;
  throw new Error(`Unknown email provider "${value}": use ${EMAIL_PROVIDER_CHOICES.join(' or ')}.`);
}

interface BuildOptions {
  /** Where to write the directory; default `dist/tenant`. */
  outDir?: string;
  emailProvider?: EmailProviderChoice;
  /**
   * Give the email templates a `resultUrl` (Auth0's "Redirect To"): the files of
   * `tenant-variants/template-result-url/`. Off by default: Auth0 answers 403 to any template
   * `resultUrl` on a non-enterprise tenant created on or after 2026-05-05 (docs-v2
   * customize/email/email-templates/customize-email-templates.mdx). An environment turns it on
   * with `"templateResultUrl": true`.
   */
  templateResultUrl?: boolean;
}

/** The variant that gives the email templates their `resultUrl`. */
const TEMPLATE_RESULT_URL_VARIANT = 'template-result-url';

export interface TenantBundle {
  outDir: string;
  actions: BundledAction[];
  triggers: TriggerBindings;
  /** `name` of the deployed `emails/provider.json`. */
  emailProvider: string | undefined;
  /** The folders of tenant-variants/ laid over tenant/, in order. */
  variants: string[];
}

/**
 * Builds `dist/tenant`: the tenant configuration of `tenant/` (with the files of the chosen
 * variant laid over it) plus every Action bundled, in auth0-deploy-cli's directory format,
 * ready for `a0deploy import -i dist/tenant`. Checks first, so that a bad configuration writes
 * nothing.
 */
export async function buildTenantBundle(root: string = ROOT, options: BuildOptions = {}): Promise<TenantBundle> {
  const tenantDir = join(root, 'tenant');
  const outDir = options.outDir ?? join(root, 'dist', 'tenant');
  const providerVariant = VARIANT_OF[options.emailProvider ?? 'sendgrid'];
  const variants = [providerVariant, options.templateResultUrl === true ? TEMPLATE_RESULT_URL_VARIANT : undefined].filter(
    (name): name is string => name !== undefined,
  );
  const variantDirs = variants.map((name) => join(root, 'tenant-variants', name));
  const problems = invitationProblemsOfEnvironments(tenantDir, join(root, 'environments'));
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const manifests = findActions(join(root, 'actions'));
  const triggers = readJson<TriggerBindings>(join(tenantDir, 'triggers', 'triggers.json')) ?? {};
  const variantTriggers = variantDirs.map((dir) => readJson<TriggerBindings>(join(dir, 'triggers', 'triggers.json')));
  for (const bindings of variantTriggers) Object.assign(triggers, bindings ?? {});
  const providerFile = [...variantDirs]
    .reverse()
    .concat(tenantDir)
    .map((dir) => join(dir, 'emails', 'provider.json'))
    .find((file) => existsSync(file));
  const provider = providerFile === undefined ? undefined : readJson<{ name?: unknown }>(providerFile);
  const providerName = typeof provider?.name === 'string' ? provider.name : undefined;
  const triggerVariants = variants.filter((_, index) => variantTriggers[index] !== undefined);
  const triggersFile =
    triggerVariants.length === 0
      ? 'tenant/triggers/triggers.json'
      : `tenant/triggers/triggers.json with ${triggerVariants.map((name) => `tenant-variants/${name}`).join(', ')}`;
  const bindingProblems = [
    ...triggerBindingProblems(triggers, manifests, triggersFile),
    ...emailProviderProblems(
      providerName,
      triggers,
      providerVariant === undefined ? 'tenant/emails/provider.json' : `tenant-variants/${providerVariant}`,
    ),
  ];
  if (bindingProblems.length > 0) throw new Error(bindingProblems.join('\n'));

  rmSync(outDir, { recursive: true, force: true });
  cpSync(tenantDir, outDir, { recursive: true });
  for (const dir of variantDirs) overlayVariant(dir, outDir);
  if (triggerVariants.length > 0) writeFileSync(join(outDir, 'triggers', 'triggers.json'), `${JSON.stringify(triggers, null, 2)}\n`);
  const actions: BundledAction[] = [];
  for (const manifest of manifests) actions.push(await bundleAction(root, manifest, outDir));
  return { outDir, actions, triggers, emailProvider: providerName, variants };
}

/**
 * Lays a variant's files over the bundle: an email template's settings
 * (`emails/<template>.json`, not `provider.json`) are merged field by field over the tenant's,
 * so that a variant adds a field without repeating the template; every other file replaces the
 * file of the same path (`triggers/triggers.json` is written afterwards, merged).
 */
function overlayVariant(variantDir: string, outDir: string): void {
  cpSync(variantDir, outDir, {
    recursive: true,
    force: true,
    filter: (source) => !isTemplateSettings(variantDir, source),
  });
  const emails = join(variantDir, 'emails');
  if (!existsSync(emails)) return;
  for (const file of readdirSync(emails)) {
    if (!isTemplateSettings(variantDir, join(emails, file))) continue;
    const target = join(outDir, 'emails', file);
    const merged = { ...(readJsonText(target) ?? {}), ...(readJsonText(join(emails, file)) ?? {}) };
    writeFileSync(target, `${JSON.stringify(merged, null, 2)}\n`);
  }
}

function isTemplateSettings(variantDir: string, file: string): boolean {
  return dirname(file) === join(variantDir, 'emails') && file.endsWith('.json') && basename(file) !== 'provider.json';
}

/** An email template's settings: plain JSON (its `##KEY##` keywords sit inside strings). */
function readJsonText(file: string): Record<string, unknown> | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
}

/** A deploy-cli JSON file; an `@@KEY@@` keyword (a JSON value, unquoted) reads as null. */
function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8').replace(/@@[A-Za-z0-9_]+@@/g, 'null')) as T;
  } catch (error) {
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The ticket-mode rule of every environment whose invitation settings are written in its file. */
function invitationProblemsOfEnvironments(tenantDir: string, environmentsDir: string): string[] {
  const connections = readDatabaseConnections(tenantDir);
  if (!existsSync(environmentsDir)) return [];
  return environmentNames(environmentsDir).flatMap((name) => {
    const environment = loadEnvironment(name, environmentsDir);
    const inviteConnections = literalValue(environment.keywords.INVITE_CONNECTIONS);
    const inviteMode = literalValue(environment.keywords.INVITE_MODE);
    return invitationModeProblems(
      connections,
      typeof inviteConnections === 'string' ? inviteConnections : undefined,
      typeof inviteMode === 'string' ? inviteMode : undefined,
      `environments/${name}.json`,
    );
  });
}
