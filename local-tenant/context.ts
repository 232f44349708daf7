import type { AccessTokenRegistry } from './authentication-api/access-tokens';
import type { DeferredWork } from './deferred-work';
import type { TenantProfile } from './profiles';
import type { OidcRuntime } from './oidc';
import type { TenantHooks } from './state/hooks';
import type { TenantStore } from './state/store';

export interface TenantUrls {
  /** `host:port` of the HTTPS listener: the value for AUTH0_DOMAIN. */
  domain: string;
  httpsUrl: string;
  /** Plain HTTP for a browser, which would not trust the generated certificate. */
  httpUrl: string;
  /** Base of links put into emails (ticket URLs, login page); the HTTP URL by default. */
  publicUrl: string;
}

/** What every route module needs; built once by startLocalTenant. */
export interface TenantContext {
  store: TenantStore;
  tokens: AccessTokenRegistry;
  hooks: TenantHooks;
  /** Filled in once the listeners are bound (ports may be 0 = any free port). */
  urls: TenantUrls;
  bootstrapClientId: string;
  /** The kind of Auth0 tenant this one stands in for: which documented rules apply, and its timings. */
  profile: TenantProfile;
  /** Signing key and protocol state of the login endpoints (/authorize, /oauth/token's user grants). */
  oidc: OidcRuntime;
  /** What runs after an answer (post-user-registration). */
  deferred: DeferredWork;
}
