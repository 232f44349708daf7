import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
export const EMAIL_PROVIDER_CHOICES: readonly EmailProviderChoice[] = ['sendgrid', 'custom'];
const VARIANT_OF: Record<EmailProviderChoice, string | undefined> = { sendgrid: undefined, custom: 'custom-email-provider' };

export function parseEmailProviderChoice(value: string | undefined): EmailProviderChoice {
  if (value === undefined || value === '') return 'sendgrid';
  if ((EMAIL_PROVIDER_CHOICES as readonly string[]).includes(value)) return value as EmailProviderChoice;
  throw new Error(`Unknown email provider "${value}": use ${EMAIL_PROVIDER_CHOICES.join(' or ')}.`);
}

export interface BuildOptions {
  /** Where to write the directory; default `dist/tenant`. */
  outDir?: string;
  emailProvider?: EmailProviderChoice;
}

export interface TenantBundle {
  outDir: string;
  actions: BundledAction[];
  triggers: TriggerBindings;
  /** `name` of the deployed `emails/provider.json`. */
  emailProvider: string | undefined;
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
  const variant = VARIANT_OF[options.emailProvider ?? 'sendgrid'];
  const variantDir = variant === undefined ? undefined : join(root, 'tenant-variants', variant);
  const problems = invitationProblemsOfEnvironments(tenantDir, join(root, 'environments'));
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const manifests = findActions(join(root, 'actions'));
  const triggers = readJson<TriggerBindings>(join(tenantDir, 'triggers', 'triggers.json')) ?? {};
  const variantTriggers = variantDir === undefined ? undefined : readJson<TriggerBindings>(join(variantDir, 'triggers', 'triggers.json'));
  Object.assign(triggers, variantTriggers ?? {});
  const providerFile = [variantDir, tenantDir]
    .filter((dir): dir is string => dir !== undefined)
    .map((dir) => join(dir, 'emails', 'provider.json'))
    .find((file) => existsSync(file));
  const provider = providerFile === undefined ? undefined : readJson<{ name?: unknown }>(providerFile);
  const providerName = typeof provider?.name === 'string' ? provider.name : undefined;
  const triggersFile =
    variantTriggers === undefined ? 'tenant/triggers/triggers.json' : `tenant/triggers/triggers.json with tenant-variants/${variant}`;
  const bindingProblems = [
    ...triggerBindingProblems(triggers, manifests, triggersFile),
    ...emailProviderProblems(providerName, triggers, variant === undefined ? 'tenant/emails/provider.json' : `tenant-variants/${variant}`),
  ];
  if (bindingProblems.length > 0) throw new Error(bindingProblems.join('\n'));

  rmSync(outDir, { recursive: true, force: true });
  cpSync(tenantDir, outDir, { recursive: true });
  if (variantDir !== undefined) {
    cpSync(variantDir, outDir, { recursive: true, force: true });
    writeFileSync(join(outDir, 'triggers', 'triggers.json'), `${JSON.stringify(triggers, null, 2)}\n`);
  }
  const actions: BundledAction[] = [];
  for (const manifest of manifests) actions.push(await bundleAction(root, manifest, outDir));
  return { outDir, actions, triggers, emailProvider: providerName };
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
export function invitationProblemsOfEnvironments(tenantDir: string, environmentsDir: string): string[] {
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
