import { fakeUser } from '../../test/support/action-fakes';
import { planLanding } from './plan';

describe('planLanding', () => {
  const settings = { resultUrl: 'https://app.example.com/login', problems: [] };

  it('sends an invited user to RESET_RESULT_URL with type=invite', () => {
    expect(planLanding({ user: fakeUser({ app_metadata: { invite: true } }) }, settings)).toEqual({
      set: true,
      url: 'https://app.example.com/login',
      query: { type: 'invite' },
      invited: true,
    });
  });

  it('sends anyone else resetting a password to RESET_RESULT_URL, without the invitation mark', () => {
    for (const invite of [undefined, false, 'true', 1]) {
      expect(planLanding({ user: fakeUser({ app_metadata: { invite } }) }, settings)).toEqual({
        set: true,
        url: 'https://app.example.com/login',
        query: {},
        invited: false,
      });
    }
  });

  it("leaves Auth0's default login route in place without RESET_RESULT_URL", () => {
    expect(planLanding({ user: fakeUser({ app_metadata: { invite: true } }) }, { resultUrl: undefined, problems: [] })).toEqual({
      set: false,
      reason: 'no_result_url',
    });
  });
});
