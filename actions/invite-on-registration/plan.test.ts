import { fakeRegistrationEvent, fullSecrets } from '../../test/support/action-fakes';
import { readInviteSettings } from './settings';
import { planInvitation } from './plan';

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
