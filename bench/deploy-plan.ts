import { performance } from 'node:perf_hooks';
import type { LoggedRequest } from '../local-tenant/faults/request-log';
import { startLocalStack, type LocalStack } from '../local-tenant/local-stack';
import type { SlowSection } from './benchmark';
import { notMeasured, ratioOf, type Figure, type Section } from './report';
import { median } from './stats';

/**
 * 7. A deploy and a plan of an unchanged tenant: wall time and the number of writing requests
 * the local tenant received. The tenant is first deployed once (so the next deploy changes
 * nothing), then deployed again and planned.
 */

const TITLE = '7. Deploy and plan of an unchanged tenant';

/** Requests that change the tenant: anything but reads, and the token request (it changes nothing). */
export function writingRequests(log: readonly LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD' && r.path !== '/oauth/token');
}

export interface Timed {
  ms: number;
  requests: number;
  writes: number;
  /** `METHOD path` of the writes, first few, for the report. */
  writeSample: string[];
}

async function timedRun(stack: LocalStack, run: () => Promise<void>): Promise<Timed> {
  stack.tenant.requestLog.clear();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const log = stack.tenant.requestLog.list();
  const writes = writingRequests(log);
  return { ms, requests: log.length, writes: writes.length, writeSample: writes.map((r) => withoutIds(`${r.method} ${r.path}`)) };
}

function summary(runs: readonly Timed[]): Timed {
  const first = runs[0];
  if (first === undefined) throw new Error('no run');
  return {
    ms: median(runs.map((r) => r.ms)),
    requests: median(runs.map((r) => r.requests)),
    writes: median(runs.map((r) => r.writes)),
    writeSample: first.writeSample,
  };
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

async function deployOnce(stack: LocalStack): Promise<void> {
  const result = await stack.deploy();
  if (result.exitCode !== 0) throw new Error(`a0deploy import failed (exit ${result.exitCode}): ${result.output.slice(-2000)}`);
}

export async function measureDeployPlan(repetitions: number, progress: (line: string) => void): Promise<Section> {
  const stack = await startLocalStack({ port: 0 });
  try {
    progress('  first deploy into an empty local tenant');
    const first = await timedRun(stack, () => deployOnce(stack));
    const deploys: Timed[] = [];
    for (let i = 0; i < repetitions; i++) {
      progress(`  deploy of the unchanged tenant ${i + 1}/${repetitions}`);
      deploys.push(await timedRun(stack, () => deployOnce(stack)));
    }
    const deploy = summary(deploys);
    const figures: Figure[] = [
      {
        id: 'deploy-plan.deploy.writes',
        figure: 'deploy of the unchanged tenant: writing requests',
        measured: deploy.writes,
        unit: '',
        counterpart: { label: 'floor (nothing changed)', value: 0, unit: '' },
        ratio: null,
        band: 'none',
        verdict: 'reported',
        note: `first deploy into an empty tenant: ${first.writes} writing requests. Writes of the unchanged deploy: ${distinct(deploy.writeSample)}`,
      },
      {
        id: 'deploy-plan.deploy.time',
        figure: 'deploy of the unchanged tenant: wall time',
        measured: deploy.ms / 1000,
        unit: 's',
        counterpart: { label: 'first deploy into an empty tenant', value: first.ms / 1000, unit: 's' },
        ratio: ratioOf(deploy.ms, first.ms),
        band: 'none (timing)',
        verdict: 'reported',
      },
      notMeasured('deploy-plan.plan.writes', 'plan of the unchanged tenant: writing requests', 'floor', '= 0', PLAN_MISSING),
      notMeasured('deploy-plan.plan.time', 'plan of the unchanged tenant: wall time', 'deploy', 'none (timing)', PLAN_MISSING),
    ];
    return {
      id: 'deploy-plan',
      title: TITLE,
      method: `The local tenant (\`local-tenant/local-stack.ts\`, HTTPS) with \`dist/tenant\` deployed once by the real auth0-deploy-cli, then deployed again ${repetitions} time(s) unchanged (median). Writing requests: every request in the local tenant's request log other than GET, HEAD and \`POST /oauth/token\`.`,
      figures,
    };
  } finally {
    await stack.stop();
  }
}

const PLAN_MISSING = 'the deploy command with --plan (issue 4) has not landed';

function skipped(why: string): Section {
  return {
    id: 'deploy-plan',
    title: TITLE,
    method: 'Deploy (real auth0-deploy-cli) and plan of an unchanged local tenant: wall time and writing requests. Not run in this run.',
    figures: [
      notMeasured('deploy-plan.deploy.writes', 'deploy of the unchanged tenant: writing requests', 'floor (nothing changed)', 'none', why),
      notMeasured('deploy-plan.deploy.time', 'deploy of the unchanged tenant: wall time', 'first deploy', 'none (timing)', why),
      notMeasured('deploy-plan.plan.writes', 'plan of the unchanged tenant: writing requests', 'floor', '= 0', why),
      notMeasured('deploy-plan.plan.time', 'plan of the unchanged tenant: wall time', 'deploy', 'none (timing)', why),
    ],
  };
}

export const deployPlanSection: SlowSection = {
  title: TITLE,
  run: (progress) => measureDeployPlan(3, progress),
  skipped,
};
