import { performance } from 'node:perf_hooks';
import { fastPathCase } from './action-events';
import { EMPTY_ACTION_CODE, handlerOf, loadFresh, sdkModules, type BuiltAction, type Handler } from './built-actions';
import type { Section } from './report';
import { median } from './stats';

/**
 * 3. Fast path: `verify-and-welcome` for a verified, welcomed user (every login after the
 * first ones), per execution, against an empty handler; and the modules it loads.
 */

interface FastPathOptions {
  /** Timed rounds; the figure is their median. */
  rounds: number;
  /** Executions per round (one execution is too short to time alone). */
  executionsPerRound: number;
}

interface FastPathSample {
  perExecutionUs: number;
  emptyPerExecutionUs: number;
  /** Median over rounds of (this round's time ÷ the empty handler's time in the same round). */
  pairedRatio: number;
  required: string[];
  sdks: string[];
  executions: number;
}

/** The band of the fast path: at most this many times an empty handler's time, per execution. */
const FAST_PATH_MAX_RATIO = 2;

async function roundUs(handler: Handler, event: unknown, api: unknown, executions: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < executions; i++) await handler(event, api);
  return ((performance.now() - started) * 1000) / executions;
}

async function sampleFastPath(action: BuiltAction, options: FastPathOptions): Promise<FastPathSample> {
  const fastPath = fastPathCase(action.trigger.id);
  if (fastPath === undefined) throw new Error(`${action.name} has no fast path`);
  const loaded = loadFresh(action.code, { filename: `${action.name}/code.js`, dependencies: action.dependencies });
  const empty = loadFresh(EMPTY_ACTION_CODE, { filename: 'empty.js', dependencies: [] });
  const handler = handlerOf(loaded, action.trigger.id);
  const emptyHandler = handlerOf(empty, action.trigger.id);
  const api = fastPath.api();
  // Warm-up: let V8 optimise both before timing, as a long-lived Auth0 instance would.
  await roundUs(handler, fastPath.event, api, options.executionsPerRound);
  await roundUs(emptyHandler, fastPath.event, api, options.executionsPerRound);
  const times: number[] = [];
  const emptyTimes: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Alternate which goes first; each round's ratio compares two timings taken back to back,
    // so a load spike from the other processes on the machine hits a pair, not the median.
    const ours = round % 2 === 0 ? await roundUs(handler, fastPath.event, api, options.executionsPerRound) : undefined;
    const floor = await roundUs(emptyHandler, fastPath.event, api, options.executionsPerRound);
    const time = ours ?? (await roundUs(handler, fastPath.event, api, options.executionsPerRound));
    times.push(time);
    emptyTimes.push(floor);
    ratios.push(time / floor);
  }
  return {
    perExecutionUs: median(times),
    emptyPerExecutionUs: median(emptyTimes),
    pairedRatio: median(ratios),
    required: [...loaded.required],
    sdks: sdkModules(loaded.required, action.dependencies),
    executions: options.executionsPerRound * (options.rounds + 1),
  };
}

export async function measureFastPath(action: BuiltAction, options: FastPathOptions): Promise<Section> {
  const sample = await sampleFastPath(action, options);
  const description = fastPathCase(action.trigger.id)?.description ?? '';
  return {
    id: 'fast-path',
    title: '3. Fast path of every login',
    method: `\`${action.name}\` loaded once, for a ${description}; the same event executed ${options.executionsPerRound} times per round, ${options.rounds} timed rounds after one warm-up round; per-execution time is the median round's mean. Floor: an empty handler (\`exports.onExecutePostLogin = async (event, api) => {}\`, what any Action costs at least) loaded the same way, timed in the same rounds, alternating which goes first; the ratio is the median of the rounds' ratios, so load from other processes on the machine does not decide it. Band: at most ${FAST_PATH_MAX_RATIO}× the empty handler. Modules are every \`require\` the bundle made across all ${sample.executions} executions.`,
    figures: [
      {
        id: 'fast-path.time',
        figure: `${action.name} per execution`,
        measured: sample.perExecutionUs,
        unit: 'µs',
        counterpart: { label: 'empty handler', value: sample.emptyPerExecutionUs, unit: 'µs' },
        ratio: sample.pairedRatio,
        band: `<= ${FAST_PATH_MAX_RATIO}× empty handler`,
        verdict: sample.pairedRatio <= FAST_PATH_MAX_RATIO ? 'pass' : 'fail',
        note: `${Math.max(0, sample.perExecutionUs - sample.emptyPerExecutionUs).toFixed(2)} µs added to a login (medians); decided from \`event.user\` before any secret is read`,
      },
      {
        id: 'fast-path.sdk-modules',
        figure: 'SDK modules loaded (auth0, @sendgrid/mail)',
        measured: sample.sdks.length,
        unit: '',
        counterpart: { label: 'floor', value: 0, unit: '' },
        ratio: null,
        band: '= 0',
        verdict: sample.sdks.length === 0 ? 'pass' : 'fail',
        ...(sample.sdks.length > 0 ? { note: `loaded: ${sample.sdks.join(', ')}` } : {}),
      },
      {
        id: 'fast-path.modules',
        figure: 'modules loaded, any',
        measured: sample.required.length,
        unit: '',
        counterpart: { label: 'empty handler', value: 0, unit: '' },
        ratio: null,
        band: 'none',
        verdict: 'reported',
        note: sample.required.length === 0 ? 'no require at all' : `required: ${sample.required.join(', ')}`,
      },
    ],
  };
}
