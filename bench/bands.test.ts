/**
 * The quick benchmark (`npm test`): the built Actions (dist/tenant, written by `npm run build`,
 * which `npm test` runs first) measured with few repetitions. It fails when a figure leaves its
 * agreed band, never on an absolute time.
 */
import { builtActions } from './built-actions';
import { runBench } from './benchmark';
import type { BenchReport, Figure } from './report';

let report: BenchReport;

beforeAll(async () => {
  report = await runBench({ quick: true });
}, 60_000);

function figures(prefix: string): Figure[] {
  return report.sections.flatMap((s) => s.figures).filter((f) => f.id.startsWith(prefix));
}

/** Out-of-band figures, as readable lines, so a failure says which figure and by how much. */
function outOfBand(list: Figure[]): string[] {
  return list
    .filter((f) => f.verdict !== 'pass')
    .map((f) => `${f.figure}: ${f.measured} (${f.counterpart.label} ${f.counterpart.value}, band ${f.band})${f.note ? ` ${f.note}` : ''}`);
}

it('measures every built Action, and each code.js is within 15 kB', () => {
  const sizes = figures('bundle-size.').filter((f) => f.id.endsWith('.limit'));
  expect(sizes.map((f) => f.id)).toEqual(builtActions().map((a) => `bundle-size.${a.name}.limit`));
  expect(outOfBand(sizes)).toEqual([]);
  for (const size of sizes) expect(size.measured).toBeLessThanOrEqual(15);
});

it('loads no SDK on the fast path of a login, nor in any cold start', () => {
  const sdk = [...figures('fast-path.sdk-modules'), ...figures('cold-start.').filter((f) => f.id.endsWith('.sdk-modules'))];
  expect(sdk.length).toBe(1 + builtActions().length);
  expect(outOfBand(sdk)).toEqual([]);
  expect(figures('fast-path.sdk-modules')[0]?.measured).toBe(0);
});

it('requests one token for 1,000 executions sharing one api.cache within its lifetime', () => {
  const [shared] = figures('token-reuse.shared-cache');
  expect(shared?.figure).toContain('1000 executions');
  expect(shared?.measured).toBe(1);
  expect(outOfBand(figures('token-reuse.shared-cache'))).toEqual([]);
});

it('makes no more requests per flow than the floor, cold and warm, and every flow sends its email', () => {
  const flows = figures('requests-per-flow.');
  // Five flows (invitation: two change_password cases and ticket; verification; welcome) × cold/warm.
  expect(flows).toHaveLength(10);
  expect(outOfBand(flows)).toEqual([]);
});
