import { PassThrough } from 'node:stream';
import { createProgress, formatDuration, rateAndEta } from './progress';

describe('progress', () => {
  it('writes plain lines at most once per interval off a terminal, and a last line at the end', () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let now = 0;
    const progress = createProgress({ stream, tty: false, intervalMs: 5000, now: () => now });
    progress.start(1000);
    now = 1000;
    progress.update({ done: 10, failed: 0 });
    now = 5000;
    progress.update({ done: 50, failed: 1 });
    now = 6000;
    progress.update({ done: 60, failed: 1 });
    progress.log('line 7: invalid email is not a valid address');
    now = 10_000;
    progress.update({ done: 100, failed: 2 });
    progress.stop();
    expect(out.split('\n').filter(Boolean)).toEqual([
      'progress 50/1000 rows (5.0%) 10.0 rows/s ETA 1m35s failed 1',
      'line 7: invalid email is not a valid address',
      'progress 100/1000 rows (10.0%) 10.0 rows/s ETA 1m30s failed 2',
      'progress 100/1000 rows (10.0%) 10.0 rows/s ETA 1m30s failed 2',
    ]);
  });

  it('computes rate and ETA, and formats durations', () => {
    expect(rateAndEta(30, 90, 10_000)).toEqual({ rate: 3, etaSeconds: 20 });
    expect(rateAndEta(0, 90, 10_000).etaSeconds).toBeUndefined();
    expect([formatDuration(5), formatDuration(125), formatDuration(3 * 3600 + 120), formatDuration(undefined)]).toEqual([
      '5s',
      '2m05s',
      '3h02m',
      '?',
    ]);
  });
});
