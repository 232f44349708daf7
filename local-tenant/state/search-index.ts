import type { UserRecord } from './types';

/**
 * The users as Auth0's user search sees them: a copy of the store that takes each write
 * (creation, update, deletion) only `lagMs` after it happened. Auth0's search is eventually
 * consistent (docs-v2 manage-users/user-search/user-search-best-practices.mdx: "To get the
 * latest search results, use an immediately consistent endpoint ... Get Users by ID and Get
 * Users by Email"; "Don't poll the search APIs"), so `GET /api/v2/users?q=` reads this while
 * `GET /users/{id}` and `GET /users-by-email` read the store.
 */
export class SearchIndex {
  /** What search shows, in the order users were first indexed. */
  private readonly visible = new Map<string, UserRecord>();
  /** Writes not yet searchable, oldest first (the lag is constant, so `at` only grows). */
  private readonly pending: Array<{ at: number; userId: string; snapshot: UserRecord | null }> = [];
  /** Every user id a write was recorded for: a user the store holds but never announced is indexed when first seen. */
  private readonly known = new Set<string>();

  constructor(
    private readonly lagMs: number,
    initial: readonly UserRecord[] = [],
    private readonly now: () => number = Date.now,
  ) {
    // A state file loaded at start has long been indexed.
    for (const user of initial) {
      this.visible.set(user.user_id, structuredClone(user));
      this.known.add(user.user_id);
    }
  }

  /** A user was created or changed: its state as of now becomes searchable after the lag. */
  written(user: UserRecord): void {
    this.known.add(user.user_id);
    this.pending.push({ at: this.now() + this.lagMs, userId: user.user_id, snapshot: structuredClone(user) });
  }

  /** A user was deleted: search stops showing it after the lag. */
  deleted(userId: string): void {
    this.pending.push({ at: this.now() + this.lagMs, userId, snapshot: null });
  }

  /** The users search shows now. `storeUsers` catches users put in the store without a recorded write (tests that seed it). */
  users(storeUsers: readonly UserRecord[]): UserRecord[] {
    const now = this.now();
    let applied = 0;
    for (const write of this.pending) {
      if (write.at > now) break;
      if (write.snapshot === null) this.visible.delete(write.userId);
      else this.visible.set(write.userId, write.snapshot);
      applied++;
    }
    this.pending.splice(0, applied);
    for (const user of storeUsers) {
      if (!this.known.has(user.user_id)) {
        this.known.add(user.user_id);
        this.visible.set(user.user_id, structuredClone(user));
      }
    }
    return [...this.visible.values()];
  }
}
