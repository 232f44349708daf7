import { fail, type Outcome } from './outcome';

/**
 * The time all email work of one execution may take. Auth0 gives a trigger 20 s for all of
 * its Actions together; ours stop at 5 s so that a slow Auth0 or SendGrid never holds a login.
 */
export const EMAIL_BUDGET_MS = 5_000;

export class EmailBudget {
  private readonly endsAt: number;

  constructor(ms: number = EMAIL_BUDGET_MS, now: number = Date.now()) {
    this.endsAt = now + ms;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /** An AbortSignal that fires when the budget is spent, for fetch and the auth0 SDK. */
  signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }

  /**
   * Settles with the work's outcome, or with `<step>_timeout` when the budget runs out first.
   * Clients whose own timeouts are per socket (axios in @sendgrid/mail) are bounded this way.
   */
  async race<T>(step: string, work: Promise<Outcome<T>>): Promise<Outcome<T>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Outcome<T>>((resolve) => {
      timer = setTimeout(() => resolve(fail(`${step}_timeout`)), this.remainingMs());
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
