import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface HostLine {
  warmUpCpuMs?: number;
  cpuMs?: number;
  wallMs?: number;
  dryRun?: boolean;
}

/** Ends the run's deploy-cli host (test/support/global-setup.ts) and says what its imports cost the run. */
export default function globalTeardown(): void {
  const host = (globalThis as { deployCliHost?: { kill(): void; dir: string } }).deployCliHost;
  host?.kill();
  if (host === undefined) return;
  const jobs = join(host.dir, 'host.sock.jobs.jsonl');
  if (existsSync(jobs)) {
    const lines = readFileSync(jobs, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as HostLine);
    const imports = lines.filter((l) => l.cpuMs !== undefined);
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    const warmUp = lines.find((l) => l.warmUpCpuMs !== undefined)?.warmUpCpuMs ?? 0;
    console.log(
      `deploy-cli host: ${imports.length} imports (${imports.filter((l) => l.dryRun).length} dry runs), ` +
        `${seconds(imports.reduce((n, l) => n + (l.cpuMs ?? 0), 0))} s of CPU, ` +
        `${seconds(imports.reduce((n, l) => n + (l.wallMs ?? 0), 0))} s of wall time; schema compiled once in ${seconds(warmUp)} s of CPU`,
    );
  }
  rmSync(host.dir, { recursive: true, force: true });
}
