import { rmSync } from 'node:fs';

/** Ends the run's deploy-cli host (test/support/global-setup.ts). */
export default function globalTeardown(): void {
  const host = (globalThis as { deployCliHost?: { kill(): void; dir: string } }).deployCliHost;
  host?.kill();
  if (host !== undefined) rmSync(host.dir, { recursive: true, force: true });
}
