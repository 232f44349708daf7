import { performance } from 'node:perf_hooks';
import { fastPathCase } from './action-events';
import { EMPTY_ACTION_CODE, handlerOf, loadFresh, sdkModules, type BuiltAction } from './built-actions';
import { ratioOf, type Figure, type Section } from './report';
import { median } from './stats';

/**
 * 2. Cold start: loading each bundle in a fresh node:vm context plus its first fast-path
 * execution, against loading an empty Action (and its first execution) the same way.
 */

interface ColdStartSample {
  action: string;
  /** Milliseconds: vm context, compile, module code, first execution. */
  medianMs: number;
  emptyMedianMs: number;
  /** Modules required by the load and the first execution. */
  required: string[];
  sdks: string[];
  executed: boolean;
}

async function sampleColdStart(action: BuiltAction, repetitions: number): Promise<ColdStartSample> {
  const fastPath = fastPathCase(action.trigger.id);
  const times: number[] = [];
  const emptyTimes: number[] = [];
  let required: string[] = [];
  for (let i = 0; i < repetitions; i++) {
    // Alternate which goes first, so drift in the machine's load hits both alike.
    const runs: Array<[string, number[]]> = [
      [action.code, times],
      [EMPTY_ACTION_CODE, emptyTimes],
    ];
    if (i % 2 === 1) runs.reverse();
    for (const [code, sink] of runs) {
      const started = performance.now();
      const loaded = loadFresh(code, { filename: `${action.name}/code.js`, dependencies: action.dependencies, variant: `cold-start ${i}` });
      if (fastPath !== undefined) await handlerOf(loaded, action.trigger.id)(fastPath.event, fastPath.api());
      sink.push(performance.now() - started);
      if (code === action.code) required = loaded.required;
    }
  }
  return {
    action: action.name,
    medianMs: median(times),
    emptyMedianMs: median(emptyTimes),
    required,
    sdks: sdkModules(required, action.dependencies),
    executed: fastPath !== undefined,
  };
}

export async function measureColdStart(actions: readonly BuiltAction[], repetitions: number): Promise<Section> {
  const figures: Figure[] = [];
  for (const action of actions) {
    const sample = await sampleColdStart(action, repetitions);
    const fastPath = fastPathCase(action.trigger.id);
    const what = sample.executed ? 'load + first fast-path execution' : 'load only (no path without a request)';
    figures.push({
      id: `cold-start.${action.name}.time`,
      figure: `${action.name}: ${what}`,
      measured: sample.medianMs,
      unit: 'ms',
      counterpart: { label: 'empty Action, same steps', value: sample.emptyMedianMs, unit: 'ms' },
      ratio: ratioOf(sample.medianMs, sample.emptyMedianMs),
      band: 'none (timing)',
      verdict: 'reported',
      ...(fastPath !== undefined ? { note: `fast path: ${fastPath.description}` } : {}),
    });
    figures.push({
      id: `cold-start.${action.name}.sdk-modules`,
      figure: `${action.name}: SDK modules required by the cold start`,
      measured: sample.sdks.length,
      unit: '',
      counterpart: { label: 'floor', value: 0, unit: '' },
      ratio: null,
      band: '= 0',
      verdict: sample.sdks.length === 0 ? 'pass' : 'fail',
      note: `modules required: ${sample.required.length === 0 ? 'none' : sample.required.join(', ')}`,
    });
  }
  return {
    id: 'cold-start',
    title: '2. Cold start',
    method: `Median of ${repetitions} runs per Action: a fresh \`node:vm\` context by the local tenant's loader (\`local-tenant/actions-runtime/load-action.ts\`), the bundle compiled (a unique trailing comment per run defeats V8's compilation cache) and its module code run, then its first fast-path execution. The counterpart is an empty Action (\`exports.onExecute… = async () => {}\`) loaded and executed the same way, in alternating order.`,
    figures,
  };
}
