import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleAction, findActions, type BundledAction } from './bundle-actions';
import { invitationModeProblems } from './check-invitation-modes';
import { environmentNames, literalValue, loadEnvironment } from './environments';
import { readDatabaseConnections } from './tenant-connections';

export const ROOT = join(__dirname, '..');

export interface TenantBundle {
  outDir: string;
  actions: BundledAction[];
  triggers: Record<string, { action_name: string; display_name: string }[]>;
}

/**
 * Builds `dist/tenant`: the tenant configuration of `tenant/` plus every Action bundled, in
 * auth0-deploy-cli's directory format, ready for `a0deploy import -i dist/tenant`. Checks
 * first, so that a bad configuration writes nothing.
 */
export async function buildTenantBundle(root: string = ROOT): Promise<TenantBundle> {
  const tenantDir = join(root, 'tenant');
  const outDir = join(root, 'dist', 'tenant');
  const problems = invitationProblemsOfEnvironments(tenantDir, join(root, 'environments'));
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const manifests = findActions(join(root, 'actions'));
  const triggers = JSON.parse(readFileSync(join(tenantDir, 'triggers', 'triggers.json'), 'utf8')) as TenantBundle['triggers'];
  const known = new Set(manifests.map((m) => m.name));
  for (const [trigger, bindings] of Object.entries(triggers)) {
    for (const binding of bindings) {
      if (!known.has(binding.action_name)) {
        throw new Error(`tenant/triggers/triggers.json binds "${binding.action_name}" to ${trigger}, but actions/ has no such Action.`);
      }
      const manifest = manifests.find((m) => m.name === binding.action_name);
      if (manifest?.trigger.id !== trigger) {
        throw new Error(
          `tenant/triggers/triggers.json binds "${binding.action_name}" to ${trigger}, but it is a ${manifest?.trigger.id} Action.`,
        );
      }
    }
  }

  rmSync(outDir, { recursive: true, force: true });
  cpSync(tenantDir, outDir, { recursive: true });
  const actions: BundledAction[] = [];
  for (const manifest of manifests) actions.push(await bundleAction(root, manifest, outDir));
  return { outDir, actions, triggers };
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
