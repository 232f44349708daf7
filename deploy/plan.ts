import type { ManagementClient } from 'auth0';
import { stripVTControlCharacters } from 'node:util';
import { statusOf } from '../actions/shared/request-failure';
import type { DeployTarget } from '../build/environments';
import {
  bundleDeployedActions,
  bundleInventory,
  bundleTriggerBindings,
  SINGLETON_TYPES,
  type BundleResource,
  type TriggerBinding,
} from './bundle-inventory';
import { runDeployCli } from './deploy-cli';

/**
 * The plan: deploy-cli's own dry run (`a0deploy import --dry-run`, which only reads the
 * tenant), turned into one line per resource of the bundle (create, update, unchanged) and one
 * per resource of the tenant that the bundle does not hold (left alone: deletion is off).
 */

/** Auth0 allows 30 secrets per Action. */
const MAX_ACTION_SECRETS = 30;

/**
 * Write-only fields: Auth0 never returns an Action secret's value or the email provider's
 * credentials, so the dry run would report every Action and the provider as changed on every
 * run. They are left out of the comparison; every deploy sends them anyway (deploy-cli PATCHes
 * every resource), so a rotated secret still reaches the tenant.
 */
const WRITE_ONLY_FIELDS: Record<string, string[]> = {
  actions: Array.from({ length: MAX_ACTION_SECRETS }, (_, index) => `secrets[${index}].value`),
  emailProvider: ['credentials'],
};

export const WRITE_ONLY_NOTE =
  "Action secrets and the email provider's credentials are write-only in Auth0: the plan cannot compare them, and every deploy sends them.";

export type PlannedChange = 'create' | 'update' | 'unchanged';

export interface PlanItem extends BundleResource {
  change: PlannedChange;
}

export interface DeployPlan {
  items: PlanItem[];
  /** In the tenant, not in the bundle: deploy-cli would delete them if deletion were on; it is off. */
  leftAlone: BundleResource[];
  /** deploy-cli's table rows that matched nothing in the bundle (a format this code does not know). */
  unmatched: string[];
  /**
   * The Actions the import deploys, each of which becomes a new version on the tenant, changed
   * or not: deploy-cli deploys every Action with `deployed: true` on every import.
   */
  actionVersions?: string[];
}

/** Auth0 keeps 50 versions per Action and deletes the oldest beyond (docs "Actions Limitations"). */
const MAX_ACTION_VERSIONS = 50;

/** The plan's line about Action versions: how many this deploy creates, and why unchanged ones count. */
function actionVersionsLine(names: readonly string[]): string {
  if (names.length === 0) return 'Action versions this deploy creates: 0.';
  return (
    `Action versions this deploy creates: ${names.length}, one per Action (${names.join(', ')}), changed or not: ` +
    `deploy-cli deploys every Action on every import. Auth0 keeps the last ${MAX_ACTION_VERSIONS} versions of each.`
  );
}

export interface DryRunRow {
  type: string;
  status: string;
  name: string;
}

/** The rows of deploy-cli's "Dry Run Preview" table; empty when it reports "No changes detected.". */
export function parseDryRunTable(output: string): { rows: DryRunRow[]; completed: boolean } {
  const text = stripVTControlCharacters(output);
  const completed = /Dry Run completed successfully/.test(text);
  const rows: DryRunRow[] = [];
  let inTable = false;
  let currentType = '';
  for (const line of text.split('\n')) {
    const cells = line.split('│').map((cell) => cell.trim());
    if (cells.length < 5) {
      if (inTable && line.startsWith('└')) inTable = false;
      continue;
    }
    if (cells[1] === 'Resource' && cells[2] === 'Status') {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const [, resource = '', status = '', name = ''] = cells;
    // The type is printed on its first row only, capitalized (deploy-cli's `Actions` is `actions`).
    if (resource !== '') currentType = resource.charAt(0).toLowerCase() + resource.slice(1);
    rows.push({ type: currentType, status: status.replace(/\s*\*$/, ''), name });
  }
  return { rows, completed };
}

/**
 * Types deploy-cli's dry run compares as one object, though the bundle has one resource per key:
 * the trigger bindings (one row, "unnamed resource", for every trigger). Its row stands for each
 * of them; withTriggerBindingsFact then tells them apart.
 */
const WHOLE_TYPE_ROWS = new Set(['triggers']);

/** The plan of a bundle from deploy-cli's dry-run rows. */
export function planFromDryRun(rows: readonly DryRunRow[], inventory: readonly BundleResource[]): DeployPlan {
  const items: PlanItem[] = inventory.map((resource) => ({ ...resource, change: 'unchanged' }));
  const leftAlone: BundleResource[] = [];
  const unmatched: string[] = [];
  for (const row of rows) {
    const matching = items.filter(
      (candidate) =>
        candidate.type === row.type && (SINGLETON_TYPES.has(row.type) || WHOLE_TYPE_ROWS.has(row.type) || candidate.name === row.name),
    );
    if (row.status === 'DELETE') {
      leftAlone.push({ type: row.type, name: row.name });
    } else if (matching.length > 0 && (row.status === 'CREATE' || row.status === 'UPDATE')) {
      for (const item of matching) item.change = row.status === 'CREATE' ? 'create' : 'update';
    } else {
      unmatched.push(`${row.type} ${row.status} ${row.name}`);
    }
  }
  return { items, leftAlone, unmatched };
}

/**
 * deploy-cli 8.44's dry run reports no change for an email provider the tenant does not have
 * yet: its 404 becomes `{}`, which matches the bundle's provider on their (undefined) ids and
 * then differs from nothing. So the deploy reads the provider itself and corrects the plan.
 */
export function withEmailProviderFact(plan: DeployPlan, tenantHasEmailProvider: boolean): DeployPlan {
  if (tenantHasEmailProvider) return plan;
  return { ...plan, items: plan.items.map((item) => (item.type === 'emailProvider' ? { ...item, change: 'create' } : item)) };
}

/** Whether the tenant has an email provider (GET /api/v2/emails/provider; 404 when none). */
async function tenantHasEmailProvider(client: ManagementClient): Promise<boolean> {
  try {
    await client.emails.provider.get({ fields: 'name', include_fields: true });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/**
 * deploy-cli's dry run says only whether the trigger bindings differ as a whole, and its import
 * writes them one trigger at a time (a PATCH per trigger). So the deploy reads each trigger's
 * bindings itself and compares them as deploy-cli does (same actions in the same order, same
 * display names): each trigger of the bundle is `update` or `unchanged` on its own.
 */
export function withTriggerBindingsFact(
  plan: DeployPlan,
  bundle: Readonly<Record<string, readonly TriggerBinding[]>>,
  tenant: Readonly<Record<string, readonly TriggerBinding[]>>,
): DeployPlan {
  return {
    ...plan,
    items: plan.items.map((item) => {
      const wanted = bundle[item.name];
      if (item.type !== 'triggers' || wanted === undefined) return item;
      return { ...item, change: sameBindings(wanted, tenant[item.name] ?? []) ? 'unchanged' : 'update' };
    }),
  };
}

function sameBindings(wanted: readonly TriggerBinding[], actual: readonly TriggerBinding[]): boolean {
  return (
    wanted.length === actual.length &&
    wanted.every(
      (binding, index) =>
        binding.action_name === actual[index]?.action_name &&
        (binding.display_name === undefined || binding.display_name === actual[index]?.display_name),
    )
  );
}

/** The tenant's bindings of each trigger named (GET /api/v2/actions/triggers/{id}/bindings), by trigger id. */
async function readTenantTriggerBindings(
  client: ManagementClient,
  triggerIds: readonly string[],
): Promise<Record<string, TriggerBinding[]>> {
  const bindings: Record<string, TriggerBinding[]> = {};
  for (const triggerId of triggerIds) {
    const list: TriggerBinding[] = [];
    // The bundle's trigger ids are Auth0's (deploy-cli's schema checks them); the SDK types them as a union.
    const id = triggerId as Parameters<ManagementClient['actions']['triggers']['bindings']['list']>[0];
    for await (const binding of await client.actions.triggers.bindings.list(id, { per_page: 50 })) {
      list.push({
        action_name: binding.action?.name ?? '',
        ...(binding.display_name !== undefined ? { display_name: binding.display_name } : {}),
      });
    }
    bindings[triggerId] = list;
  }
  return bindings;
}

/** What the deploy reads of the tenant itself, to correct deploy-cli's dry run (GET only). */
export interface TenantFacts {
  hasEmailProvider: boolean;
  triggerBindings: Record<string, TriggerBinding[]>;
}

export async function readTenantFacts(client: ManagementClient, bundleDir: string, keywords: Record<string, string | string[]>) {
  const hasEmailProvider = await tenantHasEmailProvider(client);
  const triggerBindings = await readTenantTriggerBindings(client, Object.keys(bundleTriggerBindings(bundleDir, keywords)));
  return { hasEmailProvider, triggerBindings } satisfies TenantFacts;
}

/** deploy-cli's dry run, corrected with what the deploy read of the tenant itself. */
export function withTenantFacts(
  plan: DeployPlan,
  facts: TenantFacts,
  bundleDir: string,
  keywords: Record<string, string | string[]>,
): DeployPlan {
  return withTriggerBindingsFact(
    withEmailProviderFact(plan, facts.hasEmailProvider),
    bundleTriggerBindings(bundleDir, keywords),
    facts.triggerBindings,
  );
}

export function hasChanges(plan: DeployPlan): boolean {
  return plan.items.some((item) => item.change !== 'unchanged') || plan.unmatched.length > 0;
}

export function formatPlan(plan: DeployPlan, heading: string): string {
  const lines = [heading];
  const width = Math.max(...plan.items.map((item) => item.type.length), ...plan.leftAlone.map((r) => r.type.length), 10);
  const order: PlannedChange[] = ['create', 'update', 'unchanged'];
  for (const change of order) {
    for (const item of plan.items.filter((i) => i.change === change)) {
      lines.push(`  ${change.padEnd(10)} ${item.type.padEnd(width)} ${item.name}`);
    }
  }
  for (const resource of plan.leftAlone) lines.push(`  ${'left alone'.padEnd(10)} ${resource.type.padEnd(width)} ${resource.name}`);
  for (const row of plan.unmatched) lines.push(`  ${'?'.padEnd(10)} ${row} (reported by deploy-cli, not found in the bundle)`);
  const count = (change: PlannedChange) => plan.items.filter((i) => i.change === change).length;
  lines.push(
    '',
    hasChanges(plan)
      ? `${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged, ${plan.leftAlone.length} left alone (in the tenant, not in this project; deletion is off).`
      : `Nothing to change: ${count('unchanged')} unchanged, ${plan.leftAlone.length} left alone (in the tenant, not in this project; deletion is off).`,
    ...(plan.actionVersions !== undefined ? [actionVersionsLine(plan.actionVersions)] : []),
    WRITE_ONLY_NOTE,
  );
  return lines.join('\n');
}

interface PlanRun {
  plan: DeployPlan;
  exitCode: number;
  /** deploy-cli's output, control characters removed. */
  output: string;
}

/** Runs deploy-cli's dry run against the tenant and returns the plan. It sends no writing request. */
export async function runPlan(options: {
  bundleDir: string;
  target: DeployTarget;
  keywords: Record<string, string | string[]>;
  onOutput?: ((chunk: string) => void) | undefined;
}): Promise<PlanRun> {
  const result = await runDeployCli({
    inputDir: options.bundleDir,
    domain: options.target.domain,
    clientId: options.target.clientId,
    clientSecret: options.target.clientSecret,
    keywords: options.keywords,
    caCertPath: options.target.caCertPath,
    dryRun: true,
    ignoreDryRunFields: WRITE_ONLY_FIELDS,
    onOutput: options.onOutput,
  });
  const output = stripVTControlCharacters(result.output);
  const { rows, completed } = parseDryRunTable(output);
  const plan: DeployPlan = {
    ...planFromDryRun(rows, bundleInventory(options.bundleDir, options.keywords)),
    actionVersions: bundleDeployedActions(options.bundleDir, options.keywords),
  };
  return { plan, exitCode: completed ? result.exitCode : result.exitCode || 1, output };
}
