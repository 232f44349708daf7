import type { SlowSection } from './benchmark';
import { notMeasured, type Section } from './report';

/** 6. Bulk invitation against a rate-limited local tenant, and peak memory of a 100,000-row dry run. */

const TITLE = '6. Bulk invitation';

function skipped(why: string): Section {
  return {
    id: 'bulk-invite',
    title: TITLE,
    method: 'Not run.',
    figures: [
      notMeasured('bulk-invite.throughput', 'users per second / rate limit', 'floor', '>= 0.9', why),
      notMeasured('bulk-invite.429', '429 answers received', 'floor', 'none', why),
      notMeasured('bulk-invite.dry-run-memory', 'peak memory, 100,000-row CSV, --dry-run', '100-row CSV', 'none', why),
    ],
  };
}

export const bulkInviteSection: SlowSection = {
  title: TITLE,
  run: async () => skipped('the bulk invitation (issue 5) has not landed'),
  skipped,
};
