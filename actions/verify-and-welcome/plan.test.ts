import { fakeUser } from '../../test/support/action-fakes';
import { readApplicationEmails } from '../shared/settings';
import { chooseLoginEmail, loginNeedsNothing, planLoginEmail } from './plan';

describe('planLoginEmail', () => {
  it('sends the verification email to an unverified user once', () => {
    expect(planLoginEmail(fakeUser())).toEqual({ send: 'verification', email: 'ada@example.com', clearInvite: false });
    expect(planLoginEmail(fakeUser({ app_metadata: { verification_email_sent: true } })).send).toBe('none');
  });

  it('sends the welcome email to a verified user once', () => {
    expect(planLoginEmail(fakeUser({ email_verified: true })).send).toBe('welcome');
    expect(planLoginEmail(fakeUser({ email_verified: true, app_metadata: { welcome_email_sent: true } })).send).toBe('none');
  });

  it('counts a flag only when it is exactly true', () => {
    for (const flag of ['true', 1, 'yes', null]) {
      expect(planLoginEmail(fakeUser({ email_verified: true, app_metadata: { welcome_email_sent: flag } })).send).toBe('welcome');
    }
  });

  it('does nothing for a user without email', () => {
    const { email: _email, ...withoutEmail } = fakeUser();
    expect(planLoginEmail(withoutEmail)).toEqual({ send: 'none', clearInvite: false });
    expect(planLoginEmail(fakeUser({ email: '  ' })).send).toBe('none');
  });

  it('clears the invitation flag once the email is verified, welcomed or not', () => {
    expect(planLoginEmail(fakeUser({ email_verified: true, app_metadata: { invite: true } })).clearInvite).toBe(true);
    expect(planLoginEmail(fakeUser({ email_verified: true, app_metadata: { invite: true, welcome_email_sent: true } })).clearInvite).toBe(
      true,
    );
    expect(planLoginEmail(fakeUser({ email_verified: false, app_metadata: { invite: true } })).clearInvite).toBe(false);
  });

  it('does not welcome users created before WELCOME_SINCE', () => {
    const since = new Date('2026-11-10T00:00:00Z');
    expect(planLoginEmail(fakeUser({ email_verified: true, created_at: '2026-11-01T00:00:00Z' }), since).send).toBe('none');
    expect(planLoginEmail(fakeUser({ email_verified: true, created_at: '2026-11-11T00:00:00Z' }), since).send).toBe('welcome');
    expect(planLoginEmail(fakeUser({ email_verified: true, created_at: 'garbage' }), since).send).toBe('none');
  });

  it('says a login needs nothing exactly when planLoginEmail plans no email and no change, for every mix of flags', () => {
    const values = [true, false, 'true', undefined];
    let nothing = 0;
    for (const email_verified of [true, false])
      for (const verification_email_sent of values)
        for (const welcome_email_sent of values)
          for (const invite of values) {
            const user = fakeUser({ email_verified, app_metadata: { verification_email_sent, welcome_email_sent, invite } });
            const plan = planLoginEmail(user);
            expect(loginNeedsNothing(user)).toBe(plan.send === 'none' && !plan.clearInvite);
            if (loginNeedsNothing(user)) nothing += 1;
          }
    // Verified, welcomed, invite not true (4 × 3); unverified with the verification email sent (4 × 4).
    expect(nothing).toBe(12 + 16);
    expect(loginNeedsNothing({ ...fakeUser(), app_metadata: undefined as never })).toBe(false);
    expect(loginNeedsNothing(undefined)).toBe(false);
  });

  it('says a login is needed while an invitation waits for its acceptance, and only then', () => {
    const done = { welcome_email_sent: true };
    const user = (invitation: unknown) => fakeUser({ email_verified: true, app_metadata: { ...done, invitation } });
    expect(loginNeedsNothing(user({ sent: '2026-11-01T00:00:00.000Z' }))).toBe(false);
    expect(loginNeedsNothing(user({ sent: '2026-11-01T00:00:00.000Z', accepted: '2026-11-02T00:00:00.000Z' }))).toBe(true);
    expect(loginNeedsNothing(user({ sent: '2026-11-01T00:00:00.000Z', revoked: '2026-11-02T00:00:00.000Z' }))).toBe(true);
    expect(loginNeedsNothing(user({ by: 'Ada' }))).toBe(true);
    expect(loginNeedsNothing(user(undefined))).toBe(true);
  });
});

describe('chooseLoginEmail (per application)', () => {
  const defaults = {
    templateId: 'd-default',
    resultUrl: 'https://app.example.com/verified',
    overrides: { welcome: { fr: 'd-welcome-fr' } },
  };
  const application = (metadata: Record<string, unknown>, problems: string[] = []) => readApplicationEmails(metadata, problems);

  it("uses the application's own template, locale and result URL when it names them", () => {
    const app = application({
      email_verify_template: 'd-partner-verify',
      email_welcome_template: 'd-partner-welcome',
      email_locale: 'FR-ca',
      verify_result_url: 'https://partner.example.com/done',
    });
    expect(chooseLoginEmail('verify', defaults, app, {})).toEqual({
      templateId: 'd-partner-verify',
      locale: 'fr-ca',
      resultUrl: 'https://partner.example.com/done',
    });
    expect(chooseLoginEmail('welcome', defaults, app, {})).toEqual({ templateId: 'd-partner-welcome', locale: 'fr-ca' });
  });

  it('falls back to the secrets, per key, when the application names nothing', () => {
    expect(chooseLoginEmail('verify', defaults, application({}), {})).toEqual({
      templateId: 'd-default',
      locale: 'en',
      resultUrl: 'https://app.example.com/verified',
    });
    // Only the welcome template named: the verification email stays the default one.
    const welcomeOnly = application({ email_welcome_template: 'd-partner-welcome' });
    expect(chooseLoginEmail('verify', defaults, welcomeOnly, {}).templateId).toBe('d-default');
    expect(chooseLoginEmail('welcome', defaults, welcomeOnly, {}).templateId).toBe('d-partner-welcome');
  });

  it("ranks the user's own locale first, then the application's, then the login's", () => {
    const app = application({ email_locale: 'fr' });
    const transaction = { locale: 'de', ui_locales: [] };
    expect(chooseLoginEmail('welcome', defaults, app, { userMetadata: { locale: 'en' }, transaction }).locale).toBe('en');
    expect(chooseLoginEmail('welcome', defaults, app, { transaction })).toEqual({ templateId: 'd-welcome-fr', locale: 'fr' });
    expect(chooseLoginEmail('welcome', defaults, application({}), { transaction }).locale).toBe('de');
  });

  it('ignores invalid, blank, placeholder and non-string keys, each reported once, and uses the defaults', () => {
    const problems: string[] = [];
    const app = application(
      {
        email_verify_template: 'welcome-template',
        email_welcome_template: 42,
        email_invite_template: 'the login does not read it',
        email_locale: 'not a locale',
        verify_result_url: 'javascript:alert(1)',
        unrelated: 'kept out',
      },
      problems,
    );
    expect(app).toEqual({ templates: {} });
    expect(problems).toEqual([
      'email_verify_template invalid',
      'email_welcome_template invalid',
      'email_locale invalid',
      'verify_result_url invalid',
    ]);
    expect(chooseLoginEmail('verify', defaults, app, {})).toEqual({
      templateId: 'd-default',
      locale: 'en',
      resultUrl: 'https://app.example.com/verified',
    });
    expect(readApplicationEmails(undefined, problems)).toEqual({ templates: {} });
    // An unfilled deploy-cli placeholder is an absent key, not an invalid one.
    expect(readApplicationEmails({ email_welcome_template: '##PARTNER_WELCOME_TEMPLATE_ID##' }, problems)).toEqual({ templates: {} });
    expect(problems).toHaveLength(4);
  });
});
