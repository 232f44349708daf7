/**
 * Work the tenant does after it has answered, such as Auth0's post-user-registration trigger,
 * which runs asynchronously after the creation's 201. Stopping the tenant drops what has not
 * started and waits for what runs, so that nothing touches a stopped tenant.
 */
export class DeferredWork {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  /** Runs `work` after `delayMs`; its failure is the caller's to report (it should catch). */
  later(delayMs: number, work: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = work().finally(() => this.running.delete(run));
      this.running.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Pending plus running: tests wait for zero rather than for a guessed time. */
  get size(): number {
    return this.timers.size + this.running.size;
  }

  /** Resolves once nothing is pending or running (new work scheduled meanwhile included). */
  async settled(): Promise<void> {
    while (this.size > 0) {
      if (this.running.size > 0) await Promise.allSettled([...this.running]);
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
