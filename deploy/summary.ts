import { stripVTControlCharacters } from 'node:util';
import type { BundleResource } from './bundle-inventory';
import { SINGLETON_TYPES } from './bundle-inventory';
import { WRITE_ONLY_NOTE, type DeployPlan } from './plan';

/**
 * The end-of-deploy summary, from what deploy-cli logged it did (`Created [type]: {...}`,
 * `Updated [type]: {...}`) and what the plan had found. deploy-cli PATCHes every resource it
 * matches, changed or not, so "updated" alone says little: the plan tells the changed ones
 * from those sent again unchanged. Only names are taken from its log lines, never values.
 */

export interface DeployLogEntry {
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
  /** In the bundle, and deploy-cli logged nothing for it. */
  untouched: BundleResource[];
  /** In the tenant, not in the bundle. */
  leftAlone: BundleResource[];
}

export function summarizeDeploy(plan: DeployPlan, log: readonly DeployLogEntry[]): DeploySummary {
  const logged = (resource: BundleResource, verb: DeployLogEntry['verb']) =>
    log.some(
      (entry) => entry.verb === verb && entry.type === resource.type && (SINGLETON_TYPES.has(entry.type) || entry.name === resource.name),
    );
  const summary: DeploySummary = { created: [], changed: [], resent: [], untouched: [], leftAlone: [...plan.leftAlone] };
  for (const item of plan.items) {
    const resource = { type: item.type, name: item.name };
    if (logged(resource, 'Created')) summary.created.push(resource);
    else if (logged(resource, 'Updated') || logged(resource, 'Deployed'))
      (item.change === 'unchanged' ? summary.resent : summary.changed).push(resource);
    else summary.untouched.push(resource);
  }
  return summary;
}

export function formatSummary(summary: DeploySummary, heading: string): string {
  const list = (resources: readonly BundleResource[]) =>
    resources.length === 0 ? 'none' : resources.map((r) => (SINGLETON_TYPES.has(r.type) ? r.type : `${r.type} ${r.name}`)).join(', ');
  return [
    heading,
    `  created              ${list(summary.created)}`,
    `  updated (changed)    ${list(summary.changed)}`,
    `  sent again, same     ${list(summary.resent)}`,
    ...(summary.untouched.length > 0 ? [`  not sent             ${list(summary.untouched)}`] : []),
    `  left alone           ${list(summary.leftAlone)}, and every resource type this project does not manage`,
    WRITE_ONLY_NOTE,
  ].join('\n');
}
