import { REALISTIC_TIMINGS, tenantProfile } from './profiles';

describe('tenant profiles', () => {
  it('defaults to a free tenant created today, which refuses template resultUrl', () => {
    const profile = tenantProfile();
    expect(profile.name).toBe('free');
    expect(profile.createdAt).toBe(new Date().toISOString().slice(0, 10));
    expect(profile.templateResultUrlAllowed).toBe(false);
    expect(profile.rateLimit).toBe('free');
    expect(profile.searchResultCap).toBe(1000);
  });

  it('allows template resultUrl on enterprise and on tenants created before 2026-05-05', () => {
    expect(tenantProfile('enterprise').templateResultUrlAllowed).toBe(true);
    expect(tenantProfile('free-legacy').templateResultUrlAllowed).toBe(true);
    expect(tenantProfile('essentials').templateResultUrlAllowed).toBe(false);
    expect(tenantProfile('professional').templateResultUrlAllowed).toBe(false);
  });

  it('takes shorter timings but refuses to make asynchrony synchronous', () => {
    expect(tenantProfile('free', { searchIndexLagMs: 50 }).timings).toEqual({ ...REALISTIC_TIMINGS, searchIndexLagMs: 50 });
    expect(() => tenantProfile('free', { postRegistrationDelayMs: 0 })).toThrow(/postRegistrationDelayMs must be at least 1 ms/);
    expect(() => tenantProfile('free', { searchIndexLagMs: Number.NaN })).toThrow(/searchIndexLagMs/);
  });
});
