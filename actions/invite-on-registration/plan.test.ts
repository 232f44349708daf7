import { fakeRegistrationEvent, fullSecrets } from '../../test/support/action-fakes';
import { readInviteSettings } from './settings';
import { chooseInvitationEmail, invitationApplication, planInvitation } from './plan';

const settings = readInviteSettings(fullSecrets({ INVITE_CONNECTIONS: 'members,shared-inbox:ticket' }));

describe('planInvitation', () => {
  it('invites every user of an invitation connection, in the default mode, flagging them first', () => {
    expect(planInvitation(fakeRegistrationEvent(), settings)).toEqual({
      invite: true,
      mode: 'change_password',
      email: 'ada@example.com',
      connection: 'members',
      needsInviteFlag: true,
    });
  });

  it("uses the connection's own mode", () => {
    const event = fakeRegistrationEvent({ connection: { id: 'c2', name: 'shared-inbox', strategy: 'auth0' } });
    expect(planInvitation(event, settings)).toMatchObject({ invite: true, mode: 'ticket', needsInviteFlag: false });
  });

  it('invites users created with app_metadata.invite true on any connection, without flagging again', () => {
    const event = fakeRegistrationEvent({
      connection: { id: 'c3', name: 'other', strategy: 'auth0' },
      userOverrides: { app_metadata: { invite: true } },
    });
    expect(planInvitation(event, settings)).toMatchObject({ invite: true, mode: 'change_password', needsInviteFlag: false });
  });

  it('leaves out users whose invitation the admin script sends (invite --direct), even on an invitation connection', () => {
    const event = fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: true, invited_by: 'admin-script' } } });
    expect(planInvitation(event, settings)).toEqual({ invite: false, reason: 'sent_by_script' });
  });

  it('leaves out users of other connections, users who opted out, and users without email', () => {
    expect(planInvitation(fakeRegistrationEvent({ connection: { id: 'c3', name: 'other', strategy: 'auth0' } }), settings)).toEqual({
      invite: false,
      reason: 'not_invited',
    });
    expect(planInvitation(fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: false } } }), settings)).toEqual({
      invite: false,
      reason: 'opted_out',
    });
    expect(planInvitation(fakeRegistrationEvent({ userOverrides: { email: undefined } }), settings)).toEqual({
      invite: false,
      reason: 'no_email',
    });
  });

  it('treats only the boolean true as an invitation flag', () => {
    const event = fakeRegistrationEvent({
      connection: { id: 'c3', name: 'other', strategy: 'auth0' },
      userOverrides: { app_metadata: { invite: 'true' } },
    });
    expect(planInvitation(event, settings)).toEqual({ invite: false, reason: 'not_invited' });
  });
});

describe('the application an invitation is for', () => {
  const event = (appMetadata: Record<string, unknown>, userMetadata: Record<string, unknown> = {}) =>
    fakeRegistrationEvent({ userOverrides: { app_metadata: appMetadata, user_metadata: userMetadata } });
  const defaults = { clientId: 'app-client-id', templateId: 'd-invite', appName: 'Example App', ttlSec: 604800 };

  it('is app_metadata.app when it is a non-empty string; the default application otherwise', () => {
    expect(invitationApplication(event({ app: 'partner-client-id' }))).toBe('partner-client-id');
    expect(invitationApplication(event({}))).toBeUndefined();
    expect(invitationApplication(event({ app: '' }))).toBeUndefined();
    expect(invitationApplication(event({ app: 42 }))).toBeUndefined();
  });

  it("takes the application's template, name, locale and login route, each part it lacks from the secrets", () => {
    const partner = { clientId: 'partner-client-id', name: 'Partner Portal', templateId: 'd-partner-invite', locale: 'fr' };
    expect(chooseInvitationEmail(event({}), defaults, {}, partner)).toEqual({
      ticket: { clientId: 'partner-client-id' },
      templateId: 'd-partner-invite',
      appName: 'Partner Portal',
      locale: 'fr',
    });
    // The user's own locale first; TEMPLATE_IDS for it when the application names no template.
    const bare = { clientId: 'partner-client-id' };
    expect(chooseInvitationEmail(event({}, { locale: 'de' }), defaults, { invite: { de: 'd-invite-de' } }, bare)).toEqual({
      ticket: { clientId: 'partner-client-id' },
      templateId: 'd-invite-de',
      appName: 'Example App',
      locale: 'de',
    });
    // No application: the secrets as before (INVITE_RESULT_URL when there is no INVITE_CLIENT_ID).
    const byUrl = { resultUrl: 'https://app.example.com/welcome', templateId: 'd-invite', appName: 'Example App', ttlSec: 604800 };
    expect(chooseInvitationEmail(event({}), byUrl, {}, undefined)).toMatchObject({
      ticket: { resultUrl: 'https://app.example.com/welcome' },
      templateId: 'd-invite',
      locale: 'en',
    });
  });
});
