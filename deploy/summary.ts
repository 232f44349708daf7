import { stripVTControlCharacters } from 'node:util';
import type { BundleResource } from './bundle-inventory';
import { SINGLETON_TYPES } from './bundle-inventory';
import { WRITE_ONLY_NOTE, type DeployPlan, type PlanItem } from './plan';

/**
 * The end-of-deploy summary: which resources of the bundle the tenant accepted, each told apart
 * by what the plan had found (created, changed, or sent again unchanged: deploy-cli PATCHes
 * every resource it matches, changed or not).
 *
 * A resource counts as applied on any of this evidence (see summarizeDeploy):
 * - the import completed (exit 0): deploy-cli wrote every resource of the bundle;
 * - the tenant, read back after a failed import and compared with the bundle as the plan was,
 *   shows it: it differed in the plan and matches now, or was missing and exists now. This does
 *   not depend on deploy-cli logging a line for each write (it logs none for a trigger whose
 *   bindings were written when the other trigger's write failed);
 * - deploy-cli logged it (`Created [type]: {...}`, `Updated [type]: {...}`), which it does after
 *   the tenant answered. Only names are taken from its log lines, never values.
 */

interface DeployLogEntry {
  verb: 'Created' | 'Updated' | 'Deployed';
  type: string;
  name: string;
}

const LOG_LINE = /\b(Created|Updated|Deployed) \[(\w+)\]: (\{.*\})\s*$/;

export function parseImportLog(output: string): DeployLogEntry[] {
  const entries: DeployLogEntry[] = [];
  for (const line of stripVTControlCharacters(output).split('\n')) {
    const match = LOG_LINE.exec(line);
    if (match === null) continue;
    const [, verb, type = '', json = '{}'] = match;
    let name = type;
    if (!SINGLETON_TYPES.has(type)) {
      try {
        const object = JSON.parse(json) as Record<string, unknown>;
        const candidate = object.name ?? object.template ?? object.trigger_id;
        if (typeof candidate === 'string') name = candidate;
      } catch {
        // A log line cut short: keep the type as the name.
      }
    }
    entries.push({ verb: verb as DeployLogEntry['verb'], type, name });
  }
  return entries;
}

export interface DeploySummary {
  created: BundleResource[];
  /** Updated, and the plan had found a difference. */
  changed: BundleResource[];
  /** Sent again with no difference the plan could see (deploy-cli PATCHes all it manages). */
  resent: BundleResource[];
  /**
   * In the bundle, and no evidence it was applied: after a failed import, the tenant still differs
   * from the bundle (or, for a resource that did not differ, deploy-cli logged nothing for it).
   */
  untouched: BundleResource[];
  /** In the tenant, not in the bundle. */
  leftAlone: BundleResource[];
  /** What the summary rests on, in words (printed with it). */
  evidence?: string;
  /** After a failed import: the setting to change for each refusal the deploy recognised. */
  advice?: string[];
}

export interface ImportEvidence {
  /** deploy-cli's import exited 0: it wrote every resource of the bundle. */
  completed?: boolean;
  /**
   * After a failed import: the tenant read back and compared with the bundle exactly as for the
   * plan (deploy-cli's dry run and the deploy's own reads). Absent when it could not be read.
   */
  after?: DeployPlan;
  /** Why the tenant could not be read back after a failed import. */
  readBackError?: string;
}

export function summarizeDeploy(plan: DeployPlan, log: readonly DeployLogEntry[], evidence: ImportEvidence = {}): DeploySummary {
  const logged = (resource: BundleResource, verbs: readonly DeployLogEntry['verb'][]) =>
    log.some(
      (entry) =>
        verbs.includes(entry.verb) && entry.type === resource.type && (SINGLETON_TYPES.has(entry.type) || entry.name === resource.name),
    );
  const { after } = evidence;
  /** The tenant now shows the write: created (it exists now) or changed (it matches the bundle now). */
  const tenantShows = (item: PlanItem) => {
    const now = after?.items.find((candidate) => candidate.type === item.type && candidate.name === item.name)?.change;
    if (now === undefined) return false;
    return (item.change === 'create' && now !== 'create') || (item.change === 'update' && now === 'unchanged');
  };
  const summary: DeploySummary = {
    created: [],
    changed: [],
    resent: [],
    untouched: [],
    leftAlone: [...plan.leftAlone],
    evidence: describeEvidence(evidence),
  };
  for (const item of plan.items) {
    const resource = { type: item.type, name: item.name };
    const applied = evidence.completed === true || tenantShows(item) || logged(resource, ['Created', 'Updated', 'Deployed']);
    if (!applied) summary.untouched.push(resource);
    else if (item.change === 'create' || logged(resource, ['Created'])) summary.created.push(resource);
    else (item.change === 'unchanged' ? summary.resent : summary.changed).push(resource);
  }
  return summary;
}

function describeEvidence(evidence: ImportEvidence): string {
  if (evidence.completed === true) return 'The import completed: deploy-cli wrote every resource of the bundle.';
  if (evidence.after !== undefined)
    return (
      'Read back from the tenant after the failure: applied means it differed from the bundle in the plan and matches it now ' +
      '(or exists now), or deploy-cli logged its write.'
    );
  if (evidence.readBackError !== undefined)
    return `The tenant could not be read back after the failure (${evidence.readBackError}): applied means deploy-cli logged its write.`;
  return "From deploy-cli's log: applied means it logged the write.";
}

export function formatSummary(summary: DeploySummary, heading: string): string {
  const list = (resources: readonly BundleResource[]) =>
    resources.length === 0 ? 'none' : resources.map((r) => (SINGLETON_TYPES.has(r.type) ? r.type : `${r.type} ${r.name}`)).join(', ');
  return [
    heading,
    `  created              ${list(summary.created)}`,
    `  updated (changed)    ${list(summary.changed)}`,
    `  sent again, same     ${list(summary.resent)}`,
    ...(summary.untouched.length > 0 ? [`  not applied          ${list(summary.untouched)}`] : []),
    `  left alone           ${list(summary.leftAlone)}, and every resource type this project does not manage`,
    ...(summary.evidence !== undefined ? [summary.evidence] : []),
    ...(summary.advice ?? []).map((line) => `To fix: ${line}`),
    WRITE_ONLY_NOTE,
  ].join('\n');
}
