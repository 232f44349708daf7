import type { AccessTokenRegistry } from './authentication-api/access-tokens';
import type { TenantHooks } from './state/hooks';
import type { TenantStore } from './state/store';

/** One email that Auth0 itself sends from a tenant email template (reset_email, verify_email...). */
export interface TemplateEmail {
  /** Auth0 template name, e.g. `reset_email`. */
  template: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  user_id: string;
}

/** Hands a rendered template email to the outbox (`Outbox.deliverTemplateEmail` of local-tenant/mail). */
export type DeliverTemplateEmail = (email: TemplateEmail) => void;

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
}
