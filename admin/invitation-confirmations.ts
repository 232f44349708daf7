import { INVITATION_SENT_FLAG } from '../actions/shared/invitation';
import { findUserById, findUsersByIds } from './find-user';
import { failureReason, type AdminManagement } from './management';

/**
 * Whether the post-user-registration Action sent the invitation of a user the script created.
 * Auth0 runs that Action after the creation, asynchronously, and the creation's answer says
 * nothing of it; the Action records a sent invitation in `app_metadata.invitation_email_sent`.
 * Users are looked at in batches through user search (one request for up to 25 users); one the
 * search does not show as invited is read by id (the consistent read) once its settle time has
 * passed, and only then declared not invited.
 */

export interface ConfirmationTiming {
  /** How long after its creation a user's invitation may still be on its way. */
  settleMs: number;
  /** The age at which a user is first looked at. */
  firstCheckMs: number;
}

/**
 * Auth0 gives a trigger 20 s; the Action itself stops its email work at 5 s and its record at 6 s
 * more. 30 s leaves room for Auth0 to start the asynchronous execution.
 */
export const DEFAULT_CONFIRMATION: ConfirmationTiming = { settleMs: 30_000, firstCheckMs: 2_000 };

/** Ids per search request: 25 quoted ids keep the query near 1 kB. */
const SEARCH_BATCH = 25;

export type InvitationVerdict =
  | { state: 'sent' }
  /** Settled without the record: the Action did not send it (or could not record it). */
  | { state: 'not_sent' }
  /** Could not tell: the lookup failed, or the run was stopped before the settle time. */
  | { state: 'unknown'; reason: string }
  | { state: 'no_user' };

interface Waiting {
  userId: string;
  createdAt: number;
  nextCheckAt: number;
  resolve: (verdict: InvitationVerdict) => void;
}

export class ActionInvitations {
  private readonly waiting = new Set<Waiting>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private hurried = false;

  constructor(
    private readonly management: AdminManagement,
    private readonly timing: ConfirmationTiming = DEFAULT_CONFIRMATION,
  ) {}

  /** Resolves once the user's invitation is seen recorded, or its settle time passed without the record. */
  confirm(userId: string, createdAt: number): Promise<InvitationVerdict> {
    return new Promise((resolve) => {
      this.waiting.add({ userId, createdAt, nextCheckAt: createdAt + this.timing.firstCheckMs, resolve });
      this.loop ??= this.run().finally(() => (this.loop = undefined));
      this.wake?.();
    });
  }

  /** The run is stopping: every user waiting is looked at once more, now, and whatever is not seen stays unknown. */
  hurry(): void {
    this.hurried = true;
    this.wake?.();
  }

  /**
   * Users become due one by one, as fast as they are created: a search is sent once 25 are due,
   * or once the oldest has been due for `firstCheckMs`, so that a run at a few users a second
   * still shares each search among many users.
   */
  private async run(): Promise<void> {
    while (this.waiting.size > 0) {
      const now = Date.now();
      const entries = [...this.waiting];
      const due = entries.filter((w) => this.hurried || w.nextCheckAt <= now);
      const oldestDue = Math.min(...due.map((w) => w.nextCheckAt));
      if (this.hurried || due.length >= SEARCH_BATCH || (due.length > 0 && now - oldestDue >= this.timing.firstCheckMs)) {
        for (let i = 0; i < due.length; i += SEARCH_BATCH) await this.check(due.slice(i, i + SEARCH_BATCH));
        continue;
      }
      const nextDue = Math.min(...entries.filter((w) => w.nextCheckAt > now).map((w) => w.nextCheckAt));
      const wakeAt = Math.min(nextDue, due.length > 0 ? oldestDue + this.timing.firstCheckMs : Infinity);
      await new Promise<void>((resume) => {
        const timer = setTimeout(resume, Math.max(0, wakeAt - now));
        this.wake = () => {
          clearTimeout(timer);
          resume();
        };
      });
      this.wake = undefined;
    }
  }

  private async check(batch: Waiting[]): Promise<void> {
    let seen = new Set<string>();
    try {
      const users = await findUsersByIds(
        this.management,
        batch.map((w) => w.userId),
      );
      seen = new Set(users.filter((u) => u.app_metadata[INVITATION_SENT_FLAG] === true).map((u) => u.user_id));
    } catch {
      // The search failed even after the governor's retries: the reads by id below decide.
    }
    for (const entry of batch) {
      if (seen.has(entry.userId)) {
        this.settle(entry, { state: 'sent' });
        continue;
      }
      const now = Date.now();
      const settled = now - entry.createdAt >= this.timing.settleMs;
      if (!settled && !this.hurried) {
        // Look again later, less often as the user ages: most invitations are recorded within seconds.
        entry.nextCheckAt = Math.min(
          entry.createdAt + this.timing.settleMs,
          now + Math.max(this.timing.firstCheckMs, now - entry.createdAt),
        );
        continue;
      }
      this.settle(entry, await this.readById(entry.userId, settled));
    }
  }

  private async readById(userId: string, settled: boolean): Promise<InvitationVerdict> {
    try {
      const user = await findUserById(this.management, userId);
      if (user === undefined) return { state: 'no_user' };
      if (user.app_metadata[INVITATION_SENT_FLAG] === true) return { state: 'sent' };
      return settled ? { state: 'not_sent' } : { state: 'unknown', reason: 'invitation_unconfirmed' };
    } catch (error) {
      return { state: 'unknown', reason: `confirm_${failureReason(error)}` };
    }
  }

  private settle(entry: Waiting, verdict: InvitationVerdict): void {
    this.waiting.delete(entry);
    entry.resolve(verdict);
  }
}
