import { EmailBudget } from './email-budget';
import { fail, succeed, type Outcome } from './outcome';
import { retryWithinBudget, worthRepeating } from './retry-within-budget';

/** A call answering the given outcomes in turn, recording each attempt's budget. */
function answers(...outcomes: Array<Outcome<string>>) {
  const budgets: number[] = [];
  const call = (attempt: EmailBudget) => {
    budgets.push(attempt.remainingMs());
    return Promise.resolve(outcomes[budgets.length - 1] ?? fail('no_more_answers'));
  };
  return { call, budgets };
}

describe('retryWithinBudget', () => {
  it('asks again after a 429 once its wait is over, and returns the success', async () => {
    const { call, budgets } = answers(fail('ticket_http_429', 100), succeed('url'));
    const started = Date.now();
    await expect(retryWithinBudget(new EmailBudget(2_000), { attemptMs: 500, reserveMs: 100 }, call)).resolves.toEqual(succeed('url'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(budgets).toHaveLength(2);
    // Each attempt gets its own share, never the whole budget.
    expect(Math.max(...budgets)).toBeLessThanOrEqual(500);
  });

  it('never asks again after a refusal for good (a 4xx other than 429)', async () => {
    const { call, budgets } = answers(fail('user_update_http_404'));
    await expect(retryWithinBudget(new EmailBudget(2_000), { attemptMs: 500, reserveMs: 100 }, call)).resolves.toEqual(
      fail('user_update_http_404'),
    );
    expect(budgets).toHaveLength(1);
  });

  it("gives up at once when a 429's wait does not fit the budget, naming the wait", async () => {
    const { call, budgets } = answers(fail('ticket_http_429', 30_000));
    const started = Date.now();
    await expect(retryWithinBudget(new EmailBudget(2_000), { attemptMs: 500, reserveMs: 100 }, call)).resolves.toEqual(
      fail('ticket_http_429_retry_after_30s_past_budget'),
    );
    expect(Date.now() - started).toBeLessThan(100);
    expect(budgets).toHaveLength(1);
  });

  it('backs off after 5xx and lost answers until the budget, keeping the reserve, and says how often it asked', async () => {
    const { call, budgets } = answers(...Array.from({ length: 10 }, () => fail<string>('ticket_http_503')));
    const started = Date.now();
    const outcome = await retryWithinBudget(new EmailBudget(1_200), { attemptMs: 500, reserveMs: 300 }, call);
    // Pauses of 250, 500 (+ up to 250 each): the third pause would leave less than the reserve.
    expect(Date.now() - started).toBeLessThanOrEqual(1_200 - 300 + 50);
    expect(budgets.length).toBeGreaterThanOrEqual(2);
    expect(outcome).toEqual(fail(`ticket_http_503_after_${budgets.length}_attempts`));
  });

  it('tells what is worth repeating', () => {
    for (const reason of ['ticket_http_429', 'ticket_http_503', 'user_update_network', 'user_update_timeout', 'ticket_malformed']) {
      expect(worthRepeating(reason)).toBe(true);
    }
    for (const reason of ['ticket_http_400', 'ticket_http_403', 'user_update_http_404']) expect(worthRepeating(reason)).toBe(false);
  });
});

describe('retryWithinBudget, persist', () => {
  it('asks again after the backoff when a 429 asks to wait past the budget', async () => {
    const { call, budgets } = answers(fail('user_update_http_429', 30_000), succeed('done'));
    const started = Date.now();
    await expect(retryWithinBudget(new EmailBudget(2_000), { attemptMs: 500, reserveMs: 100, persist: true }, call)).resolves.toEqual(
      succeed('done'),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(budgets).toHaveLength(2);
  });
});
