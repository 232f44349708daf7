import { ActionCacheStore, CACHE_LIMITS } from './action-cache';

describe('ActionCacheStore (api.cache)', () => {
  it('keeps values for ttl milliseconds, 15 minutes by default, 24 hours at most', () => {
    let now = 0;
    const cache = new ActionCacheStore(() => now);
    cache.set('a', '1', { ttl: 1000 });
    cache.set('b', '2');
    cache.set('c', '3', { ttl: 7 * 86_400_000 });
    expect(cache.get('a')).toEqual({ value: '1', expires_at: 1000 });
    expect(cache.get('b')?.expires_at).toBe(CACHE_LIMITS.defaultTtlMs);
    expect(cache.get('c')?.expires_at).toBe(CACHE_LIMITS.maxTtlMs);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses what Auth0 refuses: long keys, large values, a 21st entry, more than 8 kB in all', () => {
    const cache = new ActionCacheStore();
    expect(cache.set('k'.repeat(65), 'v')).toEqual({ type: 'error', code: 'KEY_TOO_LARGE' });
    expect(cache.set('k', 'v'.repeat(4097))).toEqual({ type: 'error', code: 'VALUE_TOO_LARGE' });
    expect(cache.set('big1', 'v'.repeat(4096))).toEqual({ type: 'success' });
    expect(cache.set('big2', 'v'.repeat(4096))).toEqual({ type: 'success' });
    expect(cache.set('one-more', 'v')).toEqual({ type: 'error', code: 'CACHE_FULL' });
    const many = new ActionCacheStore();
    for (let i = 0; i < 20; i++) expect(many.set(`k${i}`, 'v').type).toBe('success');
    expect(many.set('k20', 'v')).toEqual({ type: 'error', code: 'TOO_MANY_ENTRIES' });
    expect(many.set('k0', 'replaced').type).toBe('success');
  });
});
