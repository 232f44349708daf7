import { performance } from 'node:perf_hooks';
import { deploy, type DeployResult } from '../deploy/deploy';
import type { LoggedRequest } from '../local-tenant/faults/request-log';
import type { LocalStack } from '../local-tenant/local-stack';
import { localTenantEnvironment } from './local-environment';
import { notMeasured, ratioOf, type Figure, type Section } from './report';
import { median } from './stats';

/**
 * 7. A deploy and a plan of an unchanged tenant (`npm run deploy -- --env local` and
 * `--plan`, through its library function `deploy()`): wall time and the writing requests the
 * local tenant received. The tenant is deployed once first, so the next deploys change nothing.
 */

const TITLE = '7. Deploy and plan of an unchanged tenant';

/** Requests that change the tenant: anything but reads, and the token request (it changes nothing). */
function writingRequests(log: readonly LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.path !== '/oauth/token');
}

/** Resource ids vary per run: `PATCH /api/v2/actions/actions/{id}`. */
function withoutIds(line: string): string {
  return line.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}').replace(/\bcon_[A-Za-z0-9]+/g, '{id}');
}

function distinct(lines: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${line} ×${n}` : line)).join(', ');
}

interface Timed {
  ms: number;
  requests: number;
  writes: string[];
  result: DeployResult;
}

async function timedDeploy(stack: LocalStack, planOnly: boolean): Promise<Timed> {
  stack.tenant.requestLog.clear();
  const started = performance.now();
  // Builds afresh into a temporary directory, as `npm run deploy` does by default.
  const result = await deploy({ environment: 'local', planOnly, env: localTenantEnvironment(stack) });
  const ms = performance.now() - started;
  const log = stack.tenant.requestLog.list();
  return { ms, requests: log.length, writes: writingRequests(log).map((r) => withoutIds(`${r.method} ${r.path}`)), result };
}

function changedResources(result: DeployResult): number {
  return result.plan.items.filter((item) => item.change !== 'unchanged').length + result.plan.unmatched.length;
}

export async function measureDeployPlan(stack: LocalStack, repetitions: number, progress: (line: string) => void): Promise<Section> {
  progress('  first deploy into the empty local tenant');
  const first = await timedDeploy(stack, false);
  const deploys: Timed[] = [];
  const plans: Timed[] = [];
  for (let i = 0; i < repetitions; i++) {
    progress(`  plan and deploy of the unchanged tenant ${i + 1}/${repetitions}`);
    plans.push(await timedDeploy(stack, true));
    deploys.push(await timedDeploy(stack, false));
  }
  const deployMs = median(deploys.map((d) => d.ms));
  const planMs = median(plans.map((p) => p.ms));
  const planWrites = Math.max(...plans.map((p) => p.writes.length));
  const planChanges = Math.max(...plans.map((p) => changedResources(p.result)));
  const deployWrites = median(deploys.map((d) => d.writes.length));
  const inventory = first.result.plan.items.length;
  const figures: Figure[] = [
    {
      id: 'deploy-plan.plan.writes',
      figure: 'plan (`--plan`): writing requests',
      measured: planWrites,
      unit: '',
      counterpart: { label: 'floor', value: 0, unit: '' },
      ratio: null,
      band: '= 0',
      verdict: planWrites === 0 ? 'pass' : 'fail',
      note: `most over ${repetitions} plans; ${median(plans.map((p) => p.requests))} requests in all (reads and the token)${planWrites > 0 ? `; writes: ${distinct(plans[0]?.writes ?? [])}` : ''}`,
    },
    {
      id: 'deploy-plan.plan.changes',
      figure: 'plan: resources shown as changed',
      measured: planChanges,
      unit: '',
      counterpart: { label: 'floor (nothing changed)', value: 0, unit: '' },
      ratio: null,
      band: '= 0',
      verdict: planChanges === 0 ? 'pass' : 'fail',
      note: `${inventory} resources in the bundle; the first deploy's plan showed ${changedResources(first.result)} to create or update`,
    },
    {
      id: 'deploy-plan.plan.time',
      figure: 'plan: wall time',
      measured: planMs / 1000,
      unit: 's',
      counterpart: { label: 'deploy of the unchanged tenant', value: deployMs / 1000, unit: 's' },
      ratio: ratioOf(planMs, deployMs),
      band: 'none (timing)',
      verdict: 'reported',
    },
    {
      id: 'deploy-plan.deploy.writes',
      figure: 'deploy of the unchanged tenant: writing requests',
      measured: deployWrites,
      unit: '',
      counterpart: { label: 'floor (nothing changed)', value: 0, unit: '' },
      ratio: null,
      band: 'none',
      verdict: 'reported',
      note: `first deploy into the empty tenant: ${first.writes.length}. auth0-deploy-cli sends every resource it manages again, changed or not (it has no diff): ${distinct(deploys[0]?.writes ?? [])}`,
    },
    {
      id: 'deploy-plan.deploy.time',
      figure: 'deploy of the unchanged tenant: wall time',
      measured: deployMs / 1000,
      unit: 's',
      counterpart: { label: 'first deploy into the empty tenant', value: first.ms / 1000, unit: 's' },
      ratio: ratioOf(deployMs, first.ms),
      band: 'none (timing)',
      verdict: 'reported',
      note: `of which (median) build and checks ${seconds(median(deploys.map((d) => d.result.timings.checksMs)))}, tenant checks ${seconds(median(deploys.map((d) => d.result.timings.tenantChecksMs)))}, plan ${seconds(median(deploys.map((d) => d.result.timings.planMs)))}, import ${seconds(median(deploys.map((d) => d.result.timings.importMs ?? 0)))}`,
    },
  ];
  return {
    id: 'deploy-plan',
    title: TITLE,
    method: `\`deploy({ environment: 'local' })\` of \`deploy/deploy.ts\` (what \`npm run deploy -- --env local [--plan]\` runs: a fresh build, the checks, deploy-cli's dry run as the plan, then the import with the real auth0-deploy-cli) against the local tenant over HTTPS. The tenant is deployed once, then planned and deployed ${repetitions} time(s) unchanged, alternately; times are medians. Writing requests: every request in the local tenant's request log other than GET, HEAD and \`POST /oauth/token\`.`,
    figures,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function skippedDeployPlan(why: string): Section {
  return {
    id: 'deploy-plan',
    title: TITLE,
    method:
      'Deploy and plan (`npm run deploy -- --env local [--plan]`) of an unchanged local tenant: wall time and writing requests. Not run in this run.',
    figures: [
      notMeasured('deploy-plan.plan.writes', 'plan (`--plan`): writing requests', 'floor', '= 0', why),
      notMeasured('deploy-plan.plan.changes', 'plan: resources shown as changed', 'floor (nothing changed)', '= 0', why),
      notMeasured('deploy-plan.plan.time', 'plan: wall time', 'deploy of the unchanged tenant', 'none (timing)', why),
      notMeasured('deploy-plan.deploy.writes', 'deploy of the unchanged tenant: writing requests', 'floor (nothing changed)', 'none', why),
      notMeasured('deploy-plan.deploy.time', 'deploy of the unchanged tenant: wall time', 'first deploy', 'none (timing)', why),
    ],
  };
}
