import { fakeNotification, fakeNotifiedUser } from '../../test/support/action-fakes';
import { parseEmailRoutes } from './settings';
import { failureDisposition, isPlausibleEmail, messageTypeLabel, planDelivery, routeFor, senderFor } from './plan';

const verified = { secondary_email: 'ada.private@example.org', secondary_email_verified: true };

describe('routeFor', () => {
  it('sends the password-reset types to a verified secondary address and everything else to the primary one', () => {
    expect(routeFor('reset_email', {})).toEqual({
      recipient: 'secondary-if-verified',
      categories: ['auth0', 'reset_email'],
      sandbox: false,
    });
    expect(routeFor('reset_email_by_code', {}).recipient).toBe('secondary-if-verified');
    for (const type of ['verify_email', 'welcome_email', 'blocked_account', 'stolen_credentials', 'change_password', 'something_new']) {
      expect(routeFor(type, {}).recipient).toBe('primary');
    }
  });

  it('takes each field from the type entry, then `*`, then the built-in defaults', () => {
    const overrides = parseEmailRoutes(
      JSON.stringify({ '*': { sandbox: true, categories: ['auth0-mail'] }, welcome_email: { categories: ['welcome', '{message_type}'] } }),
      [],
    );
    expect(routeFor('welcome_email', overrides)).toEqual({ recipient: 'primary', categories: ['welcome', 'welcome_email'], sandbox: true });
    expect(routeFor('reset_email', overrides)).toEqual({ recipient: 'secondary-if-verified', categories: ['auth0-mail'], sandbox: true });
    // `*` may switch the secondary address off for every type.
    expect(routeFor('reset_email', parseEmailRoutes('{"*":{"recipient":"primary"}}', [])).recipient).toBe('primary');
  });

  it('is not fooled by message types that name Object.prototype members', () => {
    expect(routeFor('constructor', {})).toEqual({ recipient: 'primary', categories: ['auth0', 'constructor'], sandbox: false });
    expect(routeFor('__proto__', {})).toEqual({ recipient: 'primary', categories: ['auth0', '__proto__'], sandbox: false });
    expect(routeFor('hasOwnProperty', parseEmailRoutes('{"__proto__":{"recipient":"secondary-if-verified"}}', [])).recipient).toBe(
      'primary',
    );
  });
});

describe('planDelivery', () => {
  const plan = (appMetadata: Record<string, unknown>, type = 'reset_email') =>
    planDelivery(fakeNotification({ message_type: type }), fakeNotifiedUser(appMetadata), {});

  it('uses the secondary address of a reset email only when secondary_email_verified is exactly true', () => {
    expect(plan(verified)).toMatchObject({ send: true, to: 'ada.private@example.org', recipient: 'secondary' });
    expect(plan({ ...verified, secondary_email: '  ada.private@example.org ' })).toMatchObject({ to: 'ada.private@example.org' });
    for (const flag of [false, 'true', 1, null, undefined, {}]) {
      expect(plan({ ...verified, secondary_email_verified: flag })).toEqual({
        send: true,
        to: 'family@example.com',
        recipient: 'primary',
        route: expect.any(Object),
        fallback: 'secondary_unverified',
      });
    }
  });

  it('falls back to the primary address when the secondary one is unset or implausible', () => {
    expect(plan({})).toMatchObject({ to: 'family@example.com', fallback: 'secondary_unset' });
    expect(plan({ secondary_email: '', secondary_email_verified: true })).toMatchObject({ fallback: 'secondary_unset' });
    for (const bad of [
      'not-an-email',
      'a@b',
      'a b@example.com',
      'Ada <ada@example.org>',
      'a@example.com,b@example.com',
      42,
      ['a@example.com'],
    ]) {
      expect(plan({ secondary_email: bad, secondary_email_verified: true })).toMatchObject({
        to: 'family@example.com',
        fallback: 'secondary_invalid',
      });
    }
    expect(planDelivery(fakeNotification(), undefined, {})).toMatchObject({ to: 'family@example.com', fallback: 'no_user' });
  });

  it('never uses the secondary address for other message types', () => {
    for (const type of ['verify_email', 'welcome_email', 'blocked_account', 'try_provider_configuration_email']) {
      expect(plan(verified, type)).toEqual({ send: true, to: 'family@example.com', recipient: 'primary', route: expect.any(Object) });
    }
  });

  it('sends nothing without a usable recipient, subject or content', () => {
    expect(planDelivery(fakeNotification({ to: '' }), fakeNotifiedUser(), {})).toEqual({ send: false, reason: 'no_recipient' });
    expect(planDelivery(fakeNotification({ to: 'nobody' }), fakeNotifiedUser(), {})).toEqual({ send: false, reason: 'no_recipient' });
    expect(planDelivery(fakeNotification({ subject: ' ' }), fakeNotifiedUser(), {})).toEqual({ send: false, reason: 'no_subject' });
    expect(planDelivery(fakeNotification({ html: '', text: ' ' }), fakeNotifiedUser(), {})).toEqual({ send: false, reason: 'no_content' });
    expect(planDelivery(undefined, undefined, {})).toEqual({ send: false, reason: 'no_subject' });
    // A verified secondary address is enough even when Auth0 had no primary one.
    expect(planDelivery(fakeNotification({ to: '' }), fakeNotifiedUser(verified), {})).toMatchObject({
      send: true,
      recipient: 'secondary',
    });
  });
});

describe('senderFor', () => {
  it("takes Auth0's from when it is an address or Name <address>, else MAIL_FROM", () => {
    expect(senderFor('no-reply@example.com', undefined)).toBe('no-reply@example.com');
    expect(senderFor('Example <no-reply@example.com>', 'x@example.com')).toBe('Example <no-reply@example.com>');
    expect(senderFor('', 'Fallback <f@example.com>')).toBe('Fallback <f@example.com>');
    expect(senderFor('nonsense', undefined)).toBeUndefined();
    expect(senderFor(undefined, 'also nonsense')).toBeUndefined();
  });
});

describe('failureDisposition', () => {
  it('retries what may heal and drops what will not', () => {
    for (const reason of [
      'sendgrid_http_429',
      'sendgrid_http_408',
      'sendgrid_http_500',
      'sendgrid_http_503',
      'sendgrid_timeout',
      'sendgrid_network',
    ]) {
      expect(failureDisposition(reason)).toBe('retry');
    }
    for (const reason of ['sendgrid_http_400', 'sendgrid_http_401', 'sendgrid_http_403', 'sendgrid_http_413']) {
      expect(failureDisposition(reason)).toBe('drop');
    }
    expect(failureDisposition('sendgrid_http_200')).toBe('retry');
  });
});

describe('small helpers', () => {
  it('labels message types safely for logs and categories', () => {
    expect(messageTypeLabel('reset_email')).toBe('reset_email');
    expect(messageTypeLabel('Reset Email <x@example.com>')).toBe('other');
    expect(messageTypeLabel(undefined)).toBe('other');
  });

  it('accepts plausible addresses only', () => {
    expect(isPlausibleEmail('a.b+c@mail.example.co.uk')).toBe(true);
    expect(isPlausibleEmail(`${'a'.repeat(250)}@example.com`)).toBe(false);
    expect(isPlausibleEmail('a@example.')).toBe(false);
  });
});
