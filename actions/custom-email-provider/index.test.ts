import { captureConsole, fakeCustomEmailApi, fakeCustomEmailEvent, fakeNotifiedUser, fullSecrets } from '../../test/support/action-fakes';
import { Interceptor } from '../../test/support/intercept';
import { onExecuteCustomEmailProvider } from './index';

/** The parts of a SendGrid v3 mail/send body this Action fills in. */
interface ContentMailBody {
  from: { email: string; name?: string };
  subject: string;
  content: { type: string; value: string }[];
  personalizations: { to: { email: string }[] }[];
  categories?: string[];
  custom_args?: Record<string, string>;
  mail_settings?: { sandbox_mode?: { enable: boolean } };
  template_id?: string;
}

let http: Interceptor;
beforeEach(() => (http = new Interceptor()));
afterEach(() => http.done());

const verifiedSecondary = { secondary_email: 'ada.private@example.org', secondary_email_verified: true };
const PRIVATE = /ada\.private@example\.org|family@example\.com|no-reply@example\.com|SG\.test-key/;

describe('custom-email-provider', () => {
  it("delivers a reset email to the verified secondary address with Auth0's rendered content", async () => {
    http.sendgrid();
    const api = fakeCustomEmailApi();
    const event = fakeCustomEmailEvent({ user: fakeNotifiedUser(verifiedSecondary) });
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event, api));

    expect(http.requests.map((r) => `${r.method} ${r.host}${r.path}`)).toEqual(['POST api.sendgrid.com/v3/mail/send']);
    expect(http.requests[0]?.headers.authorization).toBe('Bearer SG.test-key');
    const body = http.requests[0]?.body as ContentMailBody;
    expect(body.personalizations).toEqual([{ to: [{ email: 'ada.private@example.org' }] }]);
    expect(body.from).toEqual({ email: 'no-reply@example.com', name: 'Example' });
    expect(body.subject).toBe('Reset your Example password');
    expect(body.content).toEqual([
      { type: 'text/plain', value: event.notification.text },
      { type: 'text/html', value: event.notification.html },
    ]);
    expect(body.template_id).toBeUndefined();
    expect(body.categories).toEqual(['auth0', 'reset_email']);
    expect(body.custom_args).toEqual({ message_type: 'reset_email', user_id: 'auth0|user-1' });
    expect(body.mail_settings).toBeUndefined();
    expect(api.calls).toEqual([]);
    expect(lines).toEqual(['custom-email-provider user=auth0|user-1 sent type=reset_email to=secondary']);
  });

  it('keeps an unverified secondary address out and says why in the log', async () => {
    http.sendgrid();
    const api = fakeCustomEmailApi();
    const event = fakeCustomEmailEvent({ user: fakeNotifiedUser({ ...verifiedSecondary, secondary_email_verified: 'true' }) });
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event, api));
    expect((http.requests[0]?.body as ContentMailBody).personalizations[0]?.to).toEqual([{ email: 'family@example.com' }]);
    expect(api.calls).toEqual([]);
    expect(lines).toEqual(['custom-email-provider user=auth0|user-1 sent type=reset_email to=primary secondary_unverified']);
  });

  it('sends other message types to the primary address even with a verified secondary one', async () => {
    http.sendgrid();
    const event = fakeCustomEmailEvent({
      user: fakeNotifiedUser(verifiedSecondary),
      notificationOverrides: { message_type: 'verify_email', subject: 'Verify your email' },
    });
    await captureConsole(() => onExecuteCustomEmailProvider(event, fakeCustomEmailApi()));
    const body = http.requests[0]?.body as ContentMailBody;
    expect(body.personalizations[0]?.to).toEqual([{ email: 'family@example.com' }]);
    expect(body.categories).toEqual(['auth0', 'verify_email']);
  });

  it('follows EMAIL_ROUTES: categories and sandbox mode per type (SendGrid answers 200 in sandbox mode)', async () => {
    http.sendgrid({ status: 200 });
    const event = fakeCustomEmailEvent({
      user: fakeNotifiedUser(verifiedSecondary),
      secrets: fullSecrets({ EMAIL_ROUTES: '{"reset_email":{"categories":["password-reset"],"sandbox":true}}' }),
    });
    const api = fakeCustomEmailApi();
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event, api));
    const body = http.requests[0]?.body as ContentMailBody;
    expect(body.categories).toEqual(['password-reset']);
    expect(body.mail_settings).toEqual({ sandbox_mode: { enable: true } });
    expect(api.calls).toEqual([]);
    expect(lines).toEqual(['custom-email-provider user=auth0|user-1 sent type=reset_email to=secondary sandbox']);
  });

  it('sends from MAIL_FROM when Auth0 gives no usable from; leaves an empty text part out', async () => {
    http.sendgrid();
    const event = fakeCustomEmailEvent({ notificationOverrides: { from: '', text: '' } });
    await captureConsole(() => onExecuteCustomEmailProvider(event, fakeCustomEmailApi()));
    const body = http.requests[0]?.body as ContentMailBody;
    expect(body.from).toEqual({ email: 'no-reply@example.com', name: 'Example' });
    expect(body.content.map((c) => c.type)).toEqual(['text/html']);
  });

  it.each([
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'drop'],
    [401, 'drop'],
    [403, 'drop'],
  ] as const)('SendGrid %i: asks Auth0 to %s, logs the user id and the reason only', async (status, disposition) => {
    http.sendgrid({ status, body: { errors: [{ message: 'from family@example.com', field: null, help: null }] } });
    const api = fakeCustomEmailApi();
    const event = fakeCustomEmailEvent({ user: fakeNotifiedUser(verifiedSecondary) });
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event, api));
    expect(api.calls).toEqual([[disposition, `sendgrid_http_${status}`]]);
    expect(lines).toEqual([
      `custom-email-provider user=auth0|user-1 ${disposition === 'retry' ? 'retry' : 'dropped'} type=reset_email reason=sendgrid_http_${status}`,
    ]);
    expect(lines.join('\n')).not.toMatch(PRIVATE);
  });

  it.each([
    ['no SendGrid key', { secrets: fullSecrets({ SENDGRID_API_KEY: '##SENDGRID_API_KEY##' }) }, 'missing_secret=SENDGRID_API_KEY'],
    ['no recipient', { notificationOverrides: { to: '' } }, 'no_recipient'],
    ['no content', { notificationOverrides: { html: '', text: '' } }, 'no_content'],
    ['no usable sender', { notificationOverrides: { from: 'nobody' }, secrets: fullSecrets({ MAIL_FROM: undefined }) }, 'no_sender'],
  ])('%s: drops without a request', async (_name, overrides, reason) => {
    const api = fakeCustomEmailApi();
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(fakeCustomEmailEvent(overrides), api));
    expect(http.requests).toEqual([]);
    expect(api.calls).toEqual([['drop', reason]]);
    expect(lines).toEqual([`custom-email-provider user=auth0|user-1 dropped type=reset_email reason=${reason}`]);
  });

  it('logs an invalid EMAIL_ROUTES and still delivers with the defaults', async () => {
    http.sendgrid();
    const event = fakeCustomEmailEvent({ user: fakeNotifiedUser(verifiedSecondary), secrets: fullSecrets({ EMAIL_ROUTES: '{oops' }) });
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event, fakeCustomEmailApi()));
    expect(lines).toEqual([
      'custom-email-provider user=auth0|user-1 setting_ignored EMAIL_ROUTES invalid',
      'custom-email-provider user=auth0|user-1 sent type=reset_email to=secondary',
    ]);
  });

  it('handles an email about no user (the dashboard test email)', async () => {
    http.sendgrid();
    const event = fakeCustomEmailEvent({ user: undefined, notificationOverrides: { message_type: 'try_provider_configuration_email' } });
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event, fakeCustomEmailApi()));
    expect((http.requests[0]?.body as ContentMailBody).custom_args).toEqual({ message_type: 'try_provider_configuration_email' });
    expect(lines).toEqual(['custom-email-provider user=unknown sent type=try_provider_configuration_email to=primary']);
  });

  it('an event without notification or secrets is dropped for its missing subject, without throwing', async () => {
    const api = fakeCustomEmailApi();
    const broken = { ...fakeCustomEmailEvent(), secrets: null, notification: null } as unknown as Parameters<
      typeof onExecuteCustomEmailProvider
    >[0];
    await expect(captureConsole(() => onExecuteCustomEmailProvider(broken, api))).resolves.toBeDefined();
    expect(http.requests).toEqual([]);
    expect(api.calls).toEqual([['drop', 'no_subject']]);
  });

  it('an unexpected error asks Auth0 to retry, once, and logs no address', async () => {
    const api = fakeCustomEmailApi();
    const throwing = fakeCustomEmailEvent();
    Object.defineProperty(throwing, 'secrets', {
      get() {
        throw new Error('family@example.com');
      },
    });
    const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(throwing, api));
    expect(api.calls).toEqual([['retry', 'unexpected_error']]);
    expect(lines).toEqual(['custom-email-provider user=auth0|user-1 retry type=reset_email reason=unexpected_error']);
  });

  it('never throws, even when api.notification.drop and retry throw', async () => {
    const api = fakeCustomEmailApi();
    const failingApi = {
      cache: api.cache,
      notification: {
        retry: () => {
          throw new Error('x');
        },
        drop: () => {
          throw new Error('x');
        },
      },
    };
    const { lines } = await captureConsole(() =>
      onExecuteCustomEmailProvider(fakeCustomEmailEvent({ notificationOverrides: { to: '' } }), failingApi),
    );
    // The handler resolved: the thrown drop did not escape it, and its outcome was logged once.
    expect(lines).toEqual(['custom-email-provider user=auth0|user-1 dropped type=reset_email reason=no_recipient']);
  });
});
