import { builtAction, builtActions } from './built-actions';
import { startLocalStack } from '../local-tenant/local-stack';
import { BULK_INVITE_DEFAULTS, measureBulkInvite, skippedBulkInvite, type BulkInviteBenchOptions } from './bulk-invite';
import { measureDeployPlan, skippedDeployPlan } from './deploy-plan';
import { measureBundleSize } from './bundle-size';
import { measureColdStart } from './cold-start';
import { measureColdSend } from './cold-send';
import { measureFastPath } from './fast-path';
import { machineInfo, measuredSource, packageVersions } from './machine';
import type { BenchReport, Section } from './report';
import { takeNockOut } from './recorded-http';
import { measureRequestsPerFlow } from './requests-per-flow';
import { measureTokenReuse } from './token-reuse';

/**
 * The whole benchmark, section by section. `quick` is what `npm test` runs: the same banded
 * figures with fewer repetitions, and without the slow sections (bulk invitation, deploy),
 * which it reports as not measured rather than claiming them.
 */

interface BenchOptions {
  quick: boolean;
  /** Progress lines (the CLI prints them; the test stays quiet). */
  progress?: (line: string) => void;
  slow?: SlowOptions;
  /** Only this section (with the one deploy it needs first): `npm run bench -- --only bulk-invite`. */
  only?: 'bulk-invite';
}

interface Repetitions {
  coldStart: number;
  coldSendRuns: number;
  fastPathRounds: number;
  fastPathExecutionsPerRound: number;
  tokenExecutions: number;
}

function repetitionsFor(quick: boolean): Repetitions {
  return quick
    ? { coldStart: 5, coldSendRuns: 1, fastPathRounds: 11, fastPathExecutionsPerRound: 5000, tokenExecutions: 50 }
    : { coldStart: 41, coldSendRuns: 5, fastPathRounds: 21, fastPathExecutionsPerRound: 20000, tokenExecutions: 300 };
}

interface SlowOptions {
  deployRepetitions: number;
  bulk: BulkInviteBenchOptions;
}

export const SLOW_DEFAULTS: SlowOptions = { deployRepetitions: 3, bulk: BULK_INVITE_DEFAULTS };

/**
 * The sections that need the local tenant and take minutes: one local tenant for both, deployed
 * by the deploy section first, so the bulk invitation runs with the Actions bound. A section
 * that fails is reported as not measured, with its error, never with a number.
 */
async function measureWithLocalTenant(options: SlowOptions, progress: (line: string) => void): Promise<Section[]> {
  takeNockOut();
  const stack = await startLocalStack({ port: 0 });
  try {
    progress('7. deploy and plan');
    const deployed = await measureDeployPlan(stack, options.deployRepetitions, progress).catch((error: unknown) =>
      skippedDeployPlan(`failed: ${errorText(error)}`),
    );
    progress('6. bulk invitation');
    const bulk = deployed.figures.some((f) => f.verdict === 'not measured')
      ? skippedBulkInvite('the deploy before it failed, so no Action was bound')
      : await measureBulkInvite(stack, options.bulk, progress).catch((error: unknown) => skippedBulkInvite(`failed: ${errorText(error)}`));
    return [bulk, deployed];
  } finally {
    await stack.stop();
  }
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const progress = options.progress ?? (() => {});
  // Read before measuring: the code measured is the code of this commit (plus the changes listed).
  const source = measuredSource();
  const n = repetitionsFor(options.quick);
  const actions = builtActions();
  const sections: Section[] = [];
  if (options.only === 'bulk-invite') {
    // The bulk invitation needs the Actions bound: one deploy first, reported beside it.
    sections.push(...(await measureWithLocalTenant({ ...(options.slow ?? SLOW_DEFAULTS), deployRepetitions: 1 }, progress)));
    return {
      generatedAt: new Date().toISOString(),
      ...(source !== undefined ? { source } : {}),
      mode: 'full',
      machine: machineInfo(),
      versions: packageVersions(),
      repetitions: {
        'only the bulk invitation (and the deploy it needs)': 1,
        'bulk invitation, runs per mode': (options.slow ?? SLOW_DEFAULTS).bulk.runs,
        'bulk invitation, users per run': (options.slow ?? SLOW_DEFAULTS).bulk.users,
      },
      sections,
    };
  }

  progress('1. bundle size');
  sections.push(await measureBundleSize(actions, { inlined: !options.quick }));
  progress('2. cold start');
  sections.push(await measureColdStart(actions, n.coldStart));
  progress('2b. cold start of the sending path');
  sections.push(await measureColdSend(n.coldSendRuns));
  progress('3. fast path');
  sections.push(
    await measureFastPath(builtAction('verify-and-welcome'), {
      rounds: n.fastPathRounds,
      executionsPerRound: n.fastPathExecutionsPerRound,
    }),
  );
  progress('4. requests per flow');
  sections.push(await measureRequestsPerFlow());
  progress('5. token requests');
  sections.push(await measureTokenReuse(n.tokenExecutions));
  if (options.quick) {
    const why = 'skipped by the quick run (npm test); npm run bench measures it';
    sections.push(skippedBulkInvite(why), skippedDeployPlan(why));
  } else {
    sections.push(...(await measureWithLocalTenant(options.slow ?? SLOW_DEFAULTS, progress)));
  }

  return {
    generatedAt: new Date().toISOString(),
    ...(source !== undefined ? { source } : {}),
    mode: options.quick ? 'quick' : 'full',
    machine: machineInfo(),
    versions: packageVersions(),
    repetitions: {
      'cold start, runs per Action': n.coldStart,
      'cold start of the sending path, runs (fresh processes)': n.coldSendRuns,
      'fast path, timed rounds': n.fastPathRounds,
      'fast path, executions per round': n.fastPathExecutionsPerRound,
      'requests per flow, executions per flow and cache state': 1,
      'token requests, executions per schedule sharing one api.cache': n.tokenExecutions,
      ...(options.quick
        ? {}
        : {
            'bulk invitation, runs per mode': (options.slow ?? SLOW_DEFAULTS).bulk.runs,
            'bulk invitation, users per run': (options.slow ?? SLOW_DEFAULTS).bulk.users,
            'deploy and plan of the unchanged tenant, runs each': (options.slow ?? SLOW_DEFAULTS).deployRepetitions,
          }),
    },
    sections,
  };
}
