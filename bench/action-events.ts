import { ActionCacheStore } from '../local-tenant/actions-runtime/action-cache';
import { fakePostLoginApi, fakePostLoginEvent, fakeRegistrationApi, fakeRegistrationEvent, fakeUser } from '../test/support/action-fakes';

/**
 * The event of each trigger's fast path: the execution that should send nothing, make no
 * request and load no SDK. For post-login it is the common case of every login (a verified user
 * already welcomed); for post-user-registration, a user who is not invited.
 */
interface FastPathCase {
  description: string;
  event: unknown;
  api: () => unknown;
}

export function fastPathCase(trigger: string): FastPathCase | undefined {
  switch (trigger) {
    case 'post-login':
      return {
        description: 'verified user, welcome_email_sent: true',
        event: fakePostLoginEvent({
          user: fakeUser({
            email_verified: true,
            app_metadata: { verification_email_sent: true, welcome_email_sent: true, welcome_email_sent_at: '2026-11-01T10:00:00.000Z' },
          }),
        }),
        api: () => fakePostLoginApi(new ActionCacheStore()),
      };
    case 'post-user-registration':
      return {
        description: 'user of a connection not in INVITE_CONNECTIONS, no invite flag',
        event: fakeRegistrationEvent({ connection: { id: 'con_other', name: 'not-invited', strategy: 'auth0' } }),
        api: () => fakeRegistrationApi(new ActionCacheStore()),
      };
    default:
      // custom-email-provider delivers every email Auth0 sends: it has no path without a request.
      return undefined;
  }
}
