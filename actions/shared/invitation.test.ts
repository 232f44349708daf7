import { invitationLink } from './invitation';

describe('invitationLink', () => {
  it('appends to the empty fragment Auth0 tickets end with, changing nothing before the #', () => {
    const ticket = 'https://tenant.auth0.com/lo/reset?ticket=abc123#';
    const link = invitationLink(ticket, 'Example App');
    expect(link).toBe('https://tenant.auth0.com/lo/reset?ticket=abc123#type=invite&app=Example%20App');
    expect(link.startsWith(ticket)).toBe(true);
  });

  it('adds the # when the ticket has none, and keeps an existing fragment', () => {
    expect(invitationLink('https://t/lo/reset?ticket=1')).toBe('https://t/lo/reset?ticket=1#type=invite');
    expect(invitationLink('https://t/lo/reset?ticket=1#x=1', '')).toBe('https://t/lo/reset?ticket=1#x=1&type=invite');
  });

  it('encodes the app name so it cannot add fragment parameters', () => {
    expect(invitationLink('https://t/r#', 'A&type=reset')).toBe('https://t/r#type=invite&app=A%26type%3Dreset');
  });
});
