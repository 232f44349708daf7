import { MultiBar, Presets, type SingleBar } from 'cli-progress';

/**
 * Progress of a long run: a bar with rate and ETA on a terminal (cli-progress), plain lines
 * otherwise (CI logs, files), at most one every `intervalMs`. Lines never name a user by
 * email: rows are identified by line number.
 */
export interface ProgressCounts {
  done: number;
  failed: number;
}

export interface Progress {
  start(total: number): void;
  update(counts: ProgressCounts): void;
  /** A line above the bar (or a plain line). */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Bar or plain lines; default: a bar when the stream is a terminal. */
  tty?: boolean;
  intervalMs?: number;
  label?: string;
  now?: () => number;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? (stream as NodeJS.WriteStream).isTTY === true;
  return tty ? barProgress(stream as NodeJS.WriteStream, options) : lineProgress(stream, options);
}

/** rows/s since the start, and the time left at that rate. */
export function rateAndEta(done: number, total: number, elapsedMs: number): { rate: number; etaSeconds: number | undefined } {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  return { rate, etaSeconds: rate > 0 ? Math.max(0, (total - done) / rate) : undefined };
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function barProgress(stream: NodeJS.WriteStream, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const label = options.label ?? 'rows';
  let multi: MultiBar | undefined;
  let bar: SingleBar | undefined;
  let started = now();
  let total = 0;
  return {
    start(rows) {
      total = rows;
      started = now();
      multi = new MultiBar(
        {
          stream,
          format: `{bar} {percentage}% | {value}/{total} ${label} | {rate}/s | ETA {eta} | failed {failed}`,
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
      bar = multi.create(rows, 0, { rate: '0.0', eta: '?', failed: 0 });
    },
    update({ done, failed }) {
      const { rate, etaSeconds } = rateAndEta(done, total, now() - started);
      bar?.update(done, { rate: rate.toFixed(1), eta: formatDuration(etaSeconds), failed });
    },
    log(line) {
      if (multi !== undefined) multi.log(`${line}\n`);
      else stream.write(`${line}\n`);
    },
    stop() {
      multi?.stop();
      multi = undefined;
      bar = undefined;
    },
  };
}

function lineProgress(stream: NodeJS.WritableStream, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 5_000;
  const label = options.label ?? 'rows';
  let started = now();
  let lastAt = 0;
  let total = 0;
  let last: ProgressCounts = { done: 0, failed: 0 };
  const print = (counts: ProgressCounts) => {
    const { rate, etaSeconds } = rateAndEta(counts.done, total, now() - started);
    const percent = total > 0 ? ((counts.done / total) * 100).toFixed(1) : '100.0';
    stream.write(
      `progress ${counts.done}/${total} ${label} (${percent}%) ${rate.toFixed(1)} ${label}/s ETA ${formatDuration(etaSeconds)} failed ${counts.failed}\n`,
    );
    lastAt = now();
  };
  return {
    start(rows) {
      total = rows;
      started = now();
      lastAt = started;
    },
    update(counts) {
      last = counts;
      if (now() - lastAt >= interval) print(counts);
    },
    log(line) {
      stream.write(`${line}\n`);
    },
    stop() {
      if (last.done > 0) print(last);
    },
  };
}
