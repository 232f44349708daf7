import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { MachineInfo, MeasuredSource } from './report';

const ROOT = join(__dirname, '..');

/** The packages whose code the figures depend on. */
const MEASURED_PACKAGES = ['auth0', '@sendgrid/mail', 'auth0-deploy-cli', 'esbuild'] as const;

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    os: `${type()} ${release()} (${process.platform}/${process.arch})`,
  };
}

/** Installed versions, read from each package's own package.json. */
export function packageVersions(names: readonly string[] = MEASURED_PACKAGES): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => {
      const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      return [name, manifest.version];
    }),
  );
}

/** The report's own files: writing them must not make the next report's tree dirty. */
const REPORT_FILES = new Set(['bench/REPORT.md', 'bench/report.json']);

/** `git rev-parse HEAD` and `git status --porcelain` of the project, or undefined outside a work tree. */
export function measuredSource(root: string = ROOT): MeasuredSource | undefined {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    const changed = git('status', '--porcelain', '--untracked-files=normal')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.slice(3))
      .filter((path) => !REPORT_FILES.has(path));
    return { commit, dirty: changed.length > 0, changed: changed.slice(0, 5) };
  } catch {
    return undefined;
  }
}
