import { builtAction, builtActions } from './built-actions';
import { bulkInviteSection } from './bulk-invite';
import { deployPlanSection } from './deploy-plan';
import { measureBundleSize } from './bundle-size';
import { measureColdStart } from './cold-start';
import { measureFastPath } from './fast-path';
import { machineInfo, packageVersions } from './machine';
import type { BenchReport, Section } from './report';
import { measureRequestsPerFlow } from './requests-per-flow';
import { measureTokenReuse } from './token-reuse';

/**
 * The whole benchmark, section by section. `quick` is what `npm test` runs: the same banded
 * figures with fewer repetitions, and without the slow sections (bulk invitation, deploy),
 * which it reports as not measured rather than claiming them.
 */

export interface BenchOptions {
  quick: boolean;
  /** Progress lines (the CLI prints them; the test stays quiet). */
  progress?: (line: string) => void;
}

export interface Repetitions {
  coldStart: number;
  fastPathRounds: number;
  fastPathExecutionsPerRound: number;
  tokenExecutions: number;
  naiveTokenExecutions: number;
}

export function repetitionsFor(quick: boolean): Repetitions {
  return quick
    ? { coldStart: 5, fastPathRounds: 5, fastPathExecutionsPerRound: 500, tokenExecutions: 1000, naiveTokenExecutions: 50 }
    : { coldStart: 41, fastPathRounds: 21, fastPathExecutionsPerRound: 2000, tokenExecutions: 1000, naiveTokenExecutions: 1000 };
}

/** A section that needs the local tenant and takes minutes: only the full run measures it. */
export interface SlowSection {
  title: string;
  run(progress: (line: string) => void): Promise<Section>;
  /** The section when it is not run, every figure marked not measured with the reason. */
  skipped(why: string): Section;
}

export const SLOW_SECTIONS: readonly SlowSection[] = [bulkInviteSection, deployPlanSection];

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const progress = options.progress ?? (() => {});
  const n = repetitionsFor(options.quick);
  const actions = builtActions();
  const sections: Section[] = [];

  progress('1. bundle size');
  sections.push(await measureBundleSize(actions, { inlined: !options.quick }));
  progress('2. cold start');
  sections.push(await measureColdStart(actions, n.coldStart));
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
  sections.push(await measureTokenReuse(n.tokenExecutions, n.naiveTokenExecutions));
  for (const slow of SLOW_SECTIONS) {
    progress(slow.title);
    sections.push(options.quick ? slow.skipped('skipped by the quick run (npm test); run npm run bench') : await slow.run(progress));
  }

  return {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: machineInfo(),
    versions: packageVersions(),
    repetitions: {
      'cold start, runs per Action': n.coldStart,
      'fast path, timed rounds': n.fastPathRounds,
      'fast path, executions per round': n.fastPathExecutionsPerRound,
      'requests per flow, executions per flow and cache state': 1,
      'token requests, executions sharing one api.cache': n.tokenExecutions,
      'token requests, naive executions': n.naiveTokenExecutions,
    },
    sections,
  };
}
