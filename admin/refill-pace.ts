/**
 * The pace at which the tenant's rate-limit bucket refills, learned from what its answers count
 * (`x-ratelimit-remaining`) over time, never from `x-ratelimit-reset`: Auth0 documents reset as
 * "the expected time when additional requests will be added to the bucket" (docs-v2
 * troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-use-cases.mdx),
 * the time of the next token in whole seconds, which says nothing of a bucket refilling faster
 * than one token a second.
 *
 * Two answers A and B, and the requests of ours the tenant surely counted between them (sent
 * after A's answer arrived, answered before B was sent), bound the refill from below:
 * `remaining` is the whole part of the bucket (so each is at most one token short), the tenant
 * counted A and B somewhere between their sending and their answer, anyone else's requests only
 * take more, and a full bucket only refills less. So
 *
 *     ms per token <= (B answered - A sent) / (B remaining - A remaining - 1 + counted between + B's own)
 *
 * The calls the tenant's Actions make for a request (a created user's post-user-registration),
 * made after the tenant counted it and, by the governor's assumption, within `lagMs` of its
 * answer, count as requests between A and B when they fall surely between: otherwise a script
 * sharing the bucket with its Actions would read their calls as a slower refill, and leave them
 * room twice.
 *
 * Every pair gives such an upper bound, never faster than the tenant refills; the smallest of
 * recent answers' bounds is the pace, and pairs far apart make it close to the true one.
 */

/**
 * One answer of the tenant that took a token from its bucket, as the governor saw it (a 429
 * takes none, and its `remaining: 0` may be another bucket's: it is not one of these).
 */
export interface CountedAnswer {
  sentAt: number;
  answeredAt: number;
  remaining: number;
  /** Calls the tenant's Actions make for this request after counting it (a created user's), within the lag. */
  owes: number;
}

/** Answers kept to pair a new one with (the newest). */
const WINDOW = 64;
/** Answers whose best bound the pace is the smallest of: an old bound stops counting after these. */
const SAMPLES = 16;

export class RefillPace {
  private answers: CountedAnswer[] = [];
  private samples: number[] = [];
  private limit = 0;

  /** `lagMs`: how long after a request's answer its Actions' calls are surely made. */
  constructor(private readonly lagMs: number) {}

  /** Adds an answer (in the order they arrive) of a bucket of `limit` tokens; a new limit starts over. */
  add(limit: number, answer: CountedAnswer): void {
    if (limit !== this.limit) {
      this.answers = [];
      this.samples = [];
      this.limit = limit;
    }
    const bound = this.bestBound(answer);
    if (bound !== undefined) {
      this.samples.push(bound);
      if (this.samples.length > SAMPLES) this.samples.shift();
    }
    this.answers.push(answer);
    if (this.answers.length > WINDOW) this.answers.shift();
  }

  /** Milliseconds one token takes to come back, at most; undefined until two answers tell it. */
  msPerToken(): number | undefined {
    return this.samples.length > 0 ? Math.min(...this.samples) : undefined;
  }

  /** The smallest upper bound on ms per token that `b` gives with an earlier answer, if any. */
  private bestBound(b: CountedAnswer): number | undefined {
    let best: number | undefined;
    for (let i = 0; i < this.answers.length; i++) {
      const a = this.answers[i]!;
      if (a.answeredAt > b.sentAt) continue;
      let between = 1 + (a.answeredAt + this.lagMs <= b.sentAt ? a.owes : 0);
      for (let j = i + 1; j < this.answers.length; j++) {
        const x = this.answers[j]!;
        if (x.sentAt < a.answeredAt) continue;
        if (x.answeredAt <= b.sentAt) between += 1;
        if (x.answeredAt + this.lagMs <= b.sentAt) between += x.owes;
      }
      const refilled = b.remaining - a.remaining - 1 + between;
      if (refilled < 1) continue;
      const bound = Math.max(1, b.answeredAt - a.sentAt) / refilled;
      if (best === undefined || bound < best) best = bound;
    }
    return best;
  }
}
