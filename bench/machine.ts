import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import type { MachineInfo } from './report';

const ROOT = join(__dirname, '..');

/** The packages whose code the figures depend on. */
export const MEASURED_PACKAGES = ['auth0', '@sendgrid/mail', 'auth0-deploy-cli', 'esbuild'] as const;

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
