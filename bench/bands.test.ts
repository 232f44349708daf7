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
}, 120_000);

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

it("requests one token per api.cache where Auth0's published sample, on the same executions, requests one for each", () => {
  const tokens = [...figures('token-reuse.shared-cache'), ...figures('token-reuse.busy-hour')];
  expect(tokens).toHaveLength(2);
  for (const figure of tokens) {
    expect(figure.measured).toBe(1);
    expect(figure.counterpart.label).toContain("Auth0's account-linking sample");
  }
  // The quick run's executions are further apart than the sample's 69 s entry: each needs a token of its own.
  const [day] = figures('token-reuse.shared-cache');
  expect(day?.counterpart.value).toBe(Number(/(\d+) executions/.exec(day?.figure ?? '')?.[1]));
  expect(outOfBand(tokens)).toEqual([]);
});

it('keeps the fast path of a login within 2x an empty handler, measured in the same rounds', () => {
  const [time] = figures('fast-path.time');
  expect(time?.band).toBe('<= 2× empty handler');
  expect(time?.ratio).toBeGreaterThan(0);
  expect(outOfBand(figures('fast-path.time'))).toEqual([]);
});

it('measures the first email of a fresh instance, and loads fewer SDK files than the whole auth0 package', () => {
  const cold = figures('cold-send.');
  expect(cold.map((f) => f.id)).toEqual(['cold-send.first-email', 'cold-send.sdk-load', 'cold-send.sdk-files']);
  const [first] = figures('cold-send.first-email');
  // Both emails sent (a failed send is a 'fail'), the first slower than the warm one: it loads the SDKs.
  expect(first?.verdict).toBe('reported');
  expect(first?.measured).toBeGreaterThan(first?.counterpart.value ?? Infinity);
  expect(figures('cold-send.sdk-files')[0]?.verdict).toBe('pass');
  expect(cold.filter((f) => f.verdict === 'fail')).toEqual([]);
});

it('makes no more requests per flow than the floor, cold and warm, and every flow sends its email', () => {
  const flows = figures('requests-per-flow.');
  // Five flows (invitation: two change_password cases and ticket; verification; welcome) × cold/warm.
  expect(flows).toHaveLength(10);
  expect(outOfBand(flows)).toEqual([]);
});
