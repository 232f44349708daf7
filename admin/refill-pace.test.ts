import { RefillPace, type CountedAnswer } from './refill-pace';

/**
 * A simulated tenant bucket (`burst`, one token per `msPerToken`) counting requests sent at
 * given times, each reaching the tenant after a random delay and answered after another; the
 * answers as the governor sees them, in the order they arrive.
 */
function simulate(options: {
  burst: number;
  msPerToken: number;
  sendTimes: number[];
  latencyMs: number;
  seed: number;
  /** Calls the tenant's Actions make for each request, `actionDelayMs` after it is counted. */
  owes?: number;
  actionDelayMs?: number;
}): CountedAnswer[] {
  let seed = options.seed;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const events: Array<{ at: number; kind: 'request' | 'action'; sentAt?: number }> = [];
  for (const sentAt of options.sendTimes) {
    const countedAt = sentAt + random() * options.latencyMs;
    events.push({ at: countedAt, kind: 'request', sentAt });
    for (let i = 0; i < (options.owes ?? 0); i++) events.push({ at: countedAt + (options.actionDelayMs ?? 0), kind: 'action' });
  }
  events.sort((a, b) => a.at - b.at);
  let tokens = options.burst;
  let updatedAt = 0;
  const answers: CountedAnswer[] = [];
  for (const event of events) {
    tokens = Math.min(options.burst, tokens + (event.at - updatedAt) / options.msPerToken);
    updatedAt = event.at;
    if (tokens < 1) continue; // a 429: no answer the pace learns from
    tokens -= 1;
    if (event.kind === 'request') {
      answers.push({
        sentAt: event.sentAt!,
        answeredAt: event.at + random() * options.latencyMs,
        remaining: Math.floor(tokens),
        owes: options.owes ?? 0,
      });
    }
  }
  return answers.sort((a, b) => a.answeredAt - b.answeredAt);
}

function learn(answers: CountedAnswer[], limit: number, lagMs = 0): RefillPace {
  const pace = new RefillPace(lagMs);
  for (const answer of answers) pace.add(limit, answer);
  return pace;
}

describe('RefillPace', () => {
  it('knows nothing from one answer, nor from a burst that overlaps itself', () => {
    const pace = new RefillPace(0);
    pace.add(5, { sentAt: 0, answeredAt: 10, remaining: 4, owes: 0 });
    expect(pace.msPerToken()).toBeUndefined();
    for (const remaining of [3, 2, 1]) pace.add(5, { sentAt: 11, answeredAt: 20, remaining, owes: 0 });
    expect(pace.msPerToken()).toBeUndefined();
  });

  it.each([1, 2, 3, 4, 5])('never reads the refill faster than it is, and comes close to it (seed %i)', (seed) => {
    // 20 a second (50 ms a token), sent at about 22 a second so the bucket stays drained.
    const sendTimes = Array.from({ length: 200 }, (_, i) => i * 45);
    const answers = simulate({ burst: 5, msPerToken: 50, sendTimes, latencyMs: 30, seed });
    const learned = learn(answers, 5).msPerToken();
    expect(learned).toBeDefined();
    expect(learned!).toBeGreaterThanOrEqual(50);
    expect(learned!).toBeLessThan(60);
  });

  it('counts the calls the tenant’s Actions make for a request once they are surely made (within the lag)', () => {
    // One creation every 150 ms, each followed 300 ms later by an Action's call: 2 tokens each,
    // against a bucket of 10 a second. Without them counted, the refill reads as half of it.
    const sendTimes = Array.from({ length: 80 }, (_, i) => i * 150);
    const answers = simulate({ burst: 10, msPerToken: 100, sendTimes, latencyMs: 20, seed: 7, owes: 1, actionDelayMs: 300 });
    const counted = learn(answers, 10, 800).msPerToken()!;
    expect(counted).toBeGreaterThanOrEqual(100);
    expect(counted).toBeLessThan(130);
    const uncounted = learn(
      answers.map((a) => ({ ...a, owes: 0 })),
      10,
      800,
    ).msPerToken()!;
    expect(uncounted).toBeGreaterThan(counted * 1.5);
  });

  it('starts over when the bucket size changes', () => {
    const pace = learn(
      simulate({ burst: 5, msPerToken: 50, sendTimes: Array.from({ length: 50 }, (_, i) => i * 45), latencyMs: 10, seed: 3 }),
      5,
    );
    expect(pace.msPerToken()).toBeDefined();
    pace.add(50, { sentAt: 10_000, answeredAt: 10_010, remaining: 49, owes: 0 });
    expect(pace.msPerToken()).toBeUndefined();
  });
});
