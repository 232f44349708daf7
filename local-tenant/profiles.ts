import type { RateLimitTier } from './faults';

/**
 * What kind of Auth0 tenant the local tenant stands in for. Auth0's rules differ by subscription
 * and by the tenant's creation date; the default is the strictest common case, a free tenant
 * created today, so that a green run means "works on a tenant someone creates today".
 *
 * The timings (post-user-registration delay, search index lag) are the tenant's behaviour, not
 * promises: tests may shorten them but never turn asynchrony into synchrony (see `TenantTimings`).
 */
export type TenantProfileName = 'free' | 'free-legacy' | 'essentials' | 'professional' | 'enterprise';
export const TENANT_PROFILE_NAMES: readonly TenantProfileName[] = ['free', 'free-legacy', 'essentials', 'professional', 'enterprise'];
export const DEFAULT_TENANT_PROFILE: TenantProfileName = 'free';

export type Subscription = 'free' | 'essentials' | 'professional' | 'enterprise';

export interface TenantTimings {
  /**
   * Milliseconds between a user creation's 201 and the start of post-user-registration. Auth0 runs
   * that trigger asynchronously, after the creation has answered (docs-v2, post-user-registration
   * trigger: "runs asynchronously ... will not block"); never 0, so nothing relies on its order.
   */
  postRegistrationDelayMs: number;
  /**
   * Milliseconds before a write to a user shows in user search. Auth0's search is eventually
   * consistent (docs-v2 "User Search Best Practices": "don't poll the search APIs").
   */
  searchIndexLagMs: number;
  /**
   * Milliseconds an Action stays `pending` after each create or PATCH (identical or not) before it
   * is `built` and can be deployed. A real tenant builds every draft asynchronously (go-auth0
   * recording `TestActionManager_Deploy`: `pending`, `building`, `built` about 2.5 s after the
   * create); a deploy before that answers 400 "A draft must be in the 'built' state before it can
   * be deployed." (deploy-cli then waits 2 s and tries again).
   */
  actionBuildMs: number;
  /** Milliseconds a users-export job takes from `pending` to `completed` (half of it `pending`, half `processing`). */
  usersExportMs: number;
  /**
   * Milliseconds each HTTP call of a deployed Action (to the tenant's APIs, to SendGrid) spends on
   * the way. On Auth0 every such call crosses a network, so two logins of one user overlap while
   * their Actions wait (docs-v2 post-login-api-object.mdx: metadata "updated at once before the
   * flow is completed"); answered in process without a wait, one execution ran whole before the
   * other was read, and no race Auth0 has could show.
   */
  actionNetworkLatencyMs: number;
}

export interface TenantProfile {
  name: TenantProfileName;
  subscription: Subscription;
  /** The tenant's creation date (ISO); some rules depend on it. */
  createdAt: string;
  /**
   * Whether email templates may carry `resultUrl`. Auth0 ("Customize Email Templates", URL
   * lifetime and Redirect To): tenants created on or after 2026-05-05 with a non-enterprise
   * subscription answer 403 `Customizations for resultUrl are not allowed for non-enterprise tenants`.
   */
  templateResultUrlAllowed: boolean;
  /** The Management API rate limit of the subscription (docs-v2 "Management API Endpoint Rate Limits"). */
  rateLimit: RateLimitTier;
  /** Most results a user search returns over all its pages (docs-v2 "User Search Best Practices": 1,000). */
  searchResultCap: number;
  /**
   * Whether `POST /api/v2/jobs/users-exports` works: "This feature is not available on the Free
   * plan" (docs-v2 manage-users/user-migration/bulk-user-exports.mdx).
   */
  usersExportAllowed: boolean;
  timings: TenantTimings;
}

/** The date from which non-enterprise tenants may not set a template resultUrl. */
const RESULT_URL_CUTOFF = '2026-05-05';

/** Realistic defaults for `npm start`; tests pass shorter (non-zero) ones. */
export const REALISTIC_TIMINGS: TenantTimings = {
  postRegistrationDelayMs: 1000,
  searchIndexLagMs: 2000,
  actionBuildMs: 500,
  usersExportMs: 3000,
  actionNetworkLatencyMs: 20,
};

const TODAY = new Date().toISOString().slice(0, 10);

function profile(name: TenantProfileName, subscription: Subscription, createdAt: string, rateLimit: RateLimitTier): TenantProfile {
  return {
    name,
    subscription,
    createdAt,
    templateResultUrlAllowed: subscription === 'enterprise' || createdAt < RESULT_URL_CUTOFF,
    rateLimit,
    searchResultCap: 1000,
    usersExportAllowed: subscription !== 'free',
    timings: { ...REALISTIC_TIMINGS },
  };
}

const PROFILES: Record<TenantProfileName, TenantProfile> = {
  free: profile('free', 'free', TODAY, 'free'),
  // A free tenant created before the resultUrl cut-off: the one rule that differs.
  'free-legacy': profile('free-legacy', 'free', '2025-01-15', 'free'),
  essentials: profile('essentials', 'essentials', TODAY, 'essentials'),
  professional: profile('professional', 'professional', TODAY, 'essentials'),
  enterprise: profile('enterprise', 'enterprise', TODAY, 'enterprise'),
};

export function isTenantProfileName(value: string): value is TenantProfileName {
  return (TENANT_PROFILE_NAMES as readonly string[]).includes(value);
}

/** The named profile, with the timings a caller chose laid over its own. */
export function tenantProfile(name: TenantProfileName = DEFAULT_TENANT_PROFILE, timings: Partial<TenantTimings> = {}): TenantProfile {
  const base = PROFILES[name];
  const merged: TenantTimings = { ...base.timings };
  for (const key of ['postRegistrationDelayMs', 'searchIndexLagMs', 'actionBuildMs', 'usersExportMs', 'actionNetworkLatencyMs'] as const) {
    const value = timings[key];
    if (value === undefined) continue;
    // Shorter is a test setting; zero would make Auth0's asynchrony synchronous, kinder than Auth0.
    if (!Number.isFinite(value) || value < 1) throw new Error(`${key} must be at least 1 ms (Auth0 is asynchronous here), not ${value}`);
    merged[key] = value;
  }
  return { ...base, timings: merged };
}
