import type { ActionCache, CacheEntry, CacheWriteResult } from '../../actions/shared/auth0-actions';

/**
 * `api.cache` with Auth0's documented limits: at most 20 entries, keys up to 64 bytes, values
 * up to 4 kB and 8 kB in all; `ttl` / `expires_at` in MILLISECONDS, 15 minutes by default and
 * 24 hours at most. Auth0 shares one cache per trigger across executions.
 */
export const CACHE_LIMITS = {
  maxEntries: 20,
  maxKeyBytes: 64,
  maxValueBytes: 4096,
  maxTotalBytes: 8192,
  defaultTtlMs: 15 * 60_000,
  maxTtlMs: 24 * 60 * 60_000,
} as const;

export class ActionCacheStore implements ActionCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires_at <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { ...entry };
  }

  set(key: string, value: string, options: { ttl?: number; expires_at?: number } = {}): CacheWriteResult {
    if (typeof value !== 'string') return { type: 'error', code: 'INVALID_VALUE' };
    if (Buffer.byteLength(key) > CACHE_LIMITS.maxKeyBytes) return { type: 'error', code: 'KEY_TOO_LARGE' };
    if (Buffer.byteLength(value) > CACHE_LIMITS.maxValueBytes) return { type: 'error', code: 'VALUE_TOO_LARGE' };
    this.dropExpired();
    const now = this.now();
    const requested = options.expires_at ?? now + (options.ttl ?? CACHE_LIMITS.defaultTtlMs);
    const expiresAt = Math.min(requested, now + CACHE_LIMITS.maxTtlMs);
    const others = [...this.entries].filter(([k]) => k !== key);
    if (others.length >= CACHE_LIMITS.maxEntries) return { type: 'error', code: 'TOO_MANY_ENTRIES' };
    const total = others.reduce((sum, [, e]) => sum + Buffer.byteLength(e.value), 0) + Buffer.byteLength(value);
    if (total > CACHE_LIMITS.maxTotalBytes) return { type: 'error', code: 'CACHE_FULL' };
    this.entries.set(key, { value, expires_at: expiresAt });
    return { type: 'success' };
  }

  delete(key: string): CacheWriteResult {
    this.entries.delete(key);
    return { type: 'success' };
  }

  /** Auth0 may drop entries between executions at any time; tests use this to check the Actions cope. */
  evictAll(): void {
    this.entries.clear();
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expires_at <= now) this.entries.delete(key);
  }
}
