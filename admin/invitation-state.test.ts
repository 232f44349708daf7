import { invitationOf, parseDuration } from './invitation-state';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const sent = { sent: '2026-11-28T12:00:00.000Z', expires: '2026-12-05T12:00:00.000Z', via: 'ticket', by: 'Ada' };
const user = (app_metadata: Record<string, unknown>, logins_count = 0) => ({ app_metadata, logins_count });

describe('invitationOf', () => {
  it('is pending while the link is valid and no login accepted it', () => {
    expect(invitationOf(user({ invitation_email_sent: true, invitation: sent }), NOW)).toEqual({
      state: 'pending',
      sentAt: sent.sent,
      expiresAt: sent.expires,
      via: 'ticket',
      invitedBy: 'Ada',
      legacy: false,
    });
  });

  it('is expired from the instant the link expires, not before', () => {
    const expires = '2026-12-01T12:00:00.000Z';
    expect(invitationOf(user({ invitation: { ...sent, expires } }), NOW)?.state).toBe('expired');
    expect(invitationOf(user({ invitation: { ...sent, expires } }), NOW - 1)?.state).toBe('pending');
  });

  it('is accepted once a login after it is recorded, even past the expiry', () => {
    const accepted = { ...sent, expires: '2026-11-30T00:00:00.000Z', accepted: '2026-11-29T00:00:00.000Z' };
    expect(invitationOf(user({ invitation: accepted }, 1), NOW)).toMatchObject({ state: 'accepted', acceptedAt: accepted.accepted });
  });

  it('a login without the record does not accept a recorded invitation (a resend to a user who had logged in before)', () => {
    expect(invitationOf(user({ invitation: sent }, 3), NOW)?.state).toBe('pending');
  });

  it('is revoked whatever happened before, and says how', () => {
    const revoked = { ...sent, accepted: '2026-11-29T00:00:00.000Z', revoked: '2026-11-30T00:00:00.000Z', how: 'block' };
    expect(invitationOf(user({ invitation: revoked }, 1), NOW)).toMatchObject({ state: 'revoked', revokedHow: 'block' });
  });

  it('reads the records of earlier versions: the flags, no time; accepted by any login', () => {
    expect(invitationOf(user({ invite: true, invitation_email_sent: true }), NOW)).toEqual({ state: 'pending', legacy: true });
    expect(invitationOf(user({ invitation_email_sent: true }, 2), NOW)).toEqual({ state: 'accepted', legacy: true });
    expect(invitationOf(user({ invited_by: 'admin-script' }), NOW)).toEqual({ state: 'pending', legacy: true });
  });

  it('is pending, not sent yet, for a record holding only who invited', () => {
    expect(invitationOf(user({ invite: true, invitation: { by: 'Ada' } }), NOW)).toEqual({
      state: 'pending',
      invitedBy: 'Ada',
      legacy: true,
    });
  });

  it('says a user who was never invited has no invitation, and ignores malformed fields', () => {
    expect(invitationOf(user({}), NOW)).toBeUndefined();
    expect(invitationOf(user({ invite: false, invitation_email_sent: 'yes' }), NOW)).toBeUndefined();
    expect(invitationOf(user({ invitation: { sent: 'soon', expires: 42, via: 'pigeon' } }), NOW)).toEqual({
      state: 'pending',
      legacy: true,
    });
  });
});

describe('parseDuration', () => {
  it('reads days, hours, minutes and seconds', () => {
    expect(parseDuration('3d')).toBe(3 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration(' 45s ')).toBe(45_000);
  });

  it('refuses anything else', () => {
    for (const text of ['3', 'd', '3 days', '-1d', '3w', '']) expect(parseDuration(text)).toBeUndefined();
  });
});
