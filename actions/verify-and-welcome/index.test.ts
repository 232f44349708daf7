import { ActionCacheStore } from '../../local-tenant/actions-runtime/action-cache';
import { captureConsole, fakePostLoginApi, fakePostLoginEvent, fakeUser, fullSecrets } from '../../test/support/action-fakes';
import { Interceptor, type SendGridBody } from '../../test/support/intercept';
import { onExecutePostLogin } from './index';

let http: Interceptor;
beforeEach(() => (http = new Interceptor()));
afterEach(() => http.done());

const unverified = () => fakePostLoginEvent({ user: fakeUser({ email_verified: false }) });
const verified = (appMetadata = {}) => fakePostLoginEvent({ user: fakeUser({ email_verified: true, app_metadata: appMetadata }) });

describe('verify-and-welcome', () => {
  it('sends to the email field as it is: an address in brackets inside it is not taken as the recipient', async () => {
    http.sendgrid();
    const email = 'ada@example.com <eve@example.org>';
    await onExecutePostLogin(fakePostLoginEvent({ user: fakeUser({ email, email_verified: true }) }), fakePostLoginApi());
    const body = http.of('POST', '/v3/mail/send')[0]?.body as SendGridBody;
    expect(body.personalizations[0]?.to).toEqual([{ email }]);
  });

  it('sends one verification email through a ticket, then records it', async () => {
    http.token().verificationTicket().sendgrid();
    const api = fakePostLoginApi();
    const { lines } = await captureConsole(() => onExecutePostLogin(unverified(), api));

    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /oauth/token',
      'POST /api/v2/tickets/email-verification',
      'POST /v3/mail/send',
    ]);
    const [ticket] = http.of('POST', '/api/v2/tickets/email-verification');
    expect(ticket?.headers.authorization).toBe('Bearer mgmt-token-1');
    expect(ticket?.body).toEqual({
      user_id: 'auth0|user-1',
      result_url: 'https://app.example.com/verified',
      ttl_sec: 432000,
      includeEmailInRedirect: false,
    });
    const [mail] = http.of('POST', '/v3/mail/send');
    expect(mail?.headers.authorization).toBe('Bearer SG.test-key');
    const body = mail?.body as SendGridBody;
    expect(body.template_id).toBe('d-verify');
    expect(body.personalizations[0]?.to).toEqual([{ email: 'ada@example.com' }]);
    expect(body.personalizations[0]?.dynamic_template_data).toEqual({
      verify_url: 'https://email-flows-test.eu.auth0.com/u/email-verification?ticket=evt-456#',
      username: 'ada',
      email: 'ada@example.com',
      locale: 'en',
      language: 'en',
      app_name: 'Example App',
    });
    expect(api.appMetadataCalls.map(([k]) => k)).toEqual(['verification_email_sent', 'verification_email_sent_at']);
    expect(api.appMetadataCalls[0]?.[1]).toBe(true);
    expect(new Date(String(api.appMetadataCalls[1]?.[1])).toISOString()).toBe(api.appMetadataCalls[1]?.[1]);
    expect(api.denied).toEqual([]);
    expect(lines).toEqual(['verify-and-welcome user=auth0|user-1 verification_sent']);
  });

  it("uses the application's own verify_result_url", async () => {
    http.token().verificationTicket().sendgrid();
    const event = unverified();
    event.client.metadata = { verify_result_url: 'https://other.example.com/done' };
    await onExecutePostLogin(event, fakePostLoginApi());
    expect(http.of('POST', '/api/v2/tickets/email-verification')[0]?.body).toMatchObject({ result_url: 'https://other.example.com/done' });
  });

  it('sends nothing when the verification email was already sent', async () => {
    const api = fakePostLoginApi();
    await onExecutePostLogin(fakePostLoginEvent({ user: fakeUser({ app_metadata: { verification_email_sent: true } }) }), api);
    expect(http.requests).toEqual([]);
    expect(api.appMetadataCalls).toEqual([]);
  });

  it('welcomes a verified user once, with no Management API call', async () => {
    http.sendgrid();
    const api = fakePostLoginApi();
    await onExecutePostLogin(verified(), api);
    expect(http.requests.map((r) => r.path)).toEqual(['/v3/mail/send']);
    const body = http.requests[0]?.body as SendGridBody;
    expect(body.template_id).toBe('d-welcome');
    expect(body.personalizations[0]?.dynamic_template_data).toEqual({
      username: 'ada',
      email: 'ada@example.com',
      locale: 'en',
      language: 'en',
      app_name: 'Example App',
    });
    expect(api.appMetadataCalls.map(([k, v]) => [k, typeof v])).toEqual([
      ['welcome_email_sent', 'boolean'],
      ['welcome_email_sent_at', 'string'],
    ]);
  });

  it("sends the application's own welcome template and names the invalid key it ignored", async () => {
    http.sendgrid();
    const event = verified();
    event.client = {
      client_id: 'partner-client-id',
      name: 'Partner Portal',
      metadata: { email_welcome_template: 'd-partner-welcome', email_locale: 'fr', email_verify_template: 'oops' },
    };
    const { lines } = await captureConsole(() => onExecutePostLogin(event, fakePostLoginApi()));
    const body = http.of('POST', '/v3/mail/send')[0]?.body as SendGridBody;
    expect(body.template_id).toBe('d-partner-welcome');
    expect(body.personalizations[0]?.dynamic_template_data).toMatchObject({ locale: 'fr', language: 'fr', app_name: 'Partner Portal' });
    expect(lines).toEqual([
      'verify-and-welcome user=auth0|user-1 setting_ignored email_verify_template invalid',
      'verify-and-welcome user=auth0|user-1 welcome_sent',
    ]);
  });

  it("sends the application's own verification template, the default for an application without one", async () => {
    http.token().verificationTicket().sendgrid();
    const event = unverified();
    event.client.metadata = { email_verify_template: 'd-partner-verify' };
    await onExecutePostLogin(event, fakePostLoginApi());
    expect((http.of('POST', '/v3/mail/send')[0]?.body as SendGridBody).template_id).toBe('d-partner-verify');
    // The ticket keeps VERIFY_RESULT_URL: this application names no verify_result_url.
    expect(http.of('POST', '/api/v2/tickets/email-verification')[0]?.body).toMatchObject({
      result_url: 'https://app.example.com/verified',
    });
  });

  it('reads no client_metadata on a login that needs nothing', async () => {
    const event = verified({ welcome_email_sent: true });
    event.client = new Proxy(event.client, {
      get() {
        throw new Error('event.client read on the fast path');
      },
    });
    const api = fakePostLoginApi();
    const { lines } = await captureConsole(() => onExecutePostLogin(event, api));
    expect(lines).toEqual([]);
    expect(http.requests).toEqual([]);
  });

  it('makes no request for a verified, welcomed user', async () => {
    const api = fakePostLoginApi();
    const { lines } = await captureConsole(() => onExecutePostLogin(verified({ welcome_email_sent: true }), api));
    expect(http.requests).toEqual([]);
    expect(api.appMetadataCalls).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('clears the invitation flag of a verified user', async () => {
    const api = fakePostLoginApi();
    await onExecutePostLogin(verified({ welcome_email_sent: true, invite: true }), api);
    expect(api.appMetadataCalls).toEqual([['invite', null]]);
    expect(http.requests).toEqual([]);
  });

  it('accepts an invitation at the first login after it: `accepted` added to the record, no request', async () => {
    const api = fakePostLoginApi();
    const record = { sent: '2026-11-01T00:00:00.000Z', expires: '2026-11-08T00:00:00.000Z', via: 'ticket', by: 'Ada' };
    const before = Date.now();
    await onExecutePostLogin(verified({ welcome_email_sent: true, invitation_email_sent: true, invitation: record }), api);
    expect(http.requests).toEqual([]);
    expect(api.appMetadataCalls).toHaveLength(1);
    const [key, value] = api.appMetadataCalls[0]!;
    expect(key).toBe('invitation');
    expect(value).toEqual({ ...record, accepted: expect.any(String) });
    expect(Date.parse((value as { accepted: string }).accepted)).toBeGreaterThanOrEqual(before);
  });

  it("leaves an accepted, a revoked, an unsent and an earlier version's invitation as it is", async () => {
    for (const appMetadata of [
      { invitation: { sent: '2026-11-01T00:00:00.000Z', accepted: '2026-11-02T00:00:00.000Z' } },
      { invitation: { sent: '2026-11-01T00:00:00.000Z', revoked: '2026-11-02T00:00:00.000Z', how: 'block' } },
      { invitation: { by: 'Ada' } },
      { invitation: 'garbage' },
      { invitation_email_sent: true },
    ]) {
      const api = fakePostLoginApi();
      await onExecutePostLogin(verified({ welcome_email_sent: true, ...appMetadata }), api);
      expect(api.appMetadataCalls).toEqual([]);
    }
    expect(http.requests).toEqual([]);
  });

  it('does nothing for a user without email', async () => {
    const { email: _email, ...user } = fakeUser();
    const api = fakePostLoginApi();
    await onExecutePostLogin(fakePostLoginEvent({ user }), api);
    expect(http.requests).toEqual([]);
    expect(api.appMetadataCalls).toEqual([]);
  });

  it('picks the per-locale template from the locale chain', async () => {
    http.sendgrid();
    const event = verified();
    event.request.language = 'fr-CA,fr;q=0.9';
    event.secrets = fullSecrets({ TEMPLATE_IDS: '{"welcome":{"fr":"d-welcome-fr"}}' });
    await onExecutePostLogin(event, fakePostLoginApi());
    const body = http.requests[0]?.body as SendGridBody;
    expect(body.template_id).toBe('d-welcome-fr');
    expect(body.personalizations[0]?.dynamic_template_data.locale).toBe('fr');
  });

  it('reuses the cached Management API token across executions', async () => {
    http.token().verificationTicket().sendgrid().verificationTicket().sendgrid();
    const cache = new ActionCacheStore();
    await onExecutePostLogin(unverified(), fakePostLoginApi(cache));
    const other = fakePostLoginEvent({ user: fakeUser({ user_id: 'auth0|user-2', email_verified: false }) });
    await onExecutePostLogin(other, fakePostLoginApi(cache));
    expect(http.of('POST', '/oauth/token')).toHaveLength(1);
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(2);
  });

  it('a second login of the same user while the first is sending sends nothing (the flag is written when a trigger ends)', async () => {
    http.token().verificationTicket().sendgrid();
    const cache = new ActionCacheStore();
    // Both executions see the user as Auth0 gives it before either trigger has written its flag.
    const { lines } = await captureConsole(() =>
      Promise.all([onExecutePostLogin(unverified(), fakePostLoginApi(cache)), onExecutePostLogin(unverified(), fakePostLoginApi(cache))]),
    );
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(1);
    expect(lines.sort()).toEqual([
      'verify-and-welcome user=auth0|user-1 verification_sent',
      'verify-and-welcome user=auth0|user-1 verification_skipped in_flight',
    ]);
  });

  it('an email that failed gives its claim back: the next login sends it', async () => {
    http.token().verificationTicket().sendgrid({ status: 500 }).verificationTicket().sendgrid();
    const cache = new ActionCacheStore();
    await onExecutePostLogin(unverified(), fakePostLoginApi(cache));
    const api = fakePostLoginApi(cache);
    await onExecutePostLogin(unverified(), api);
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(2);
    expect(api.appMetadataCalls.map(([k]) => k)).toEqual(['verification_email_sent', 'verification_email_sent_at']);
  });

  it.each([
    ['a token error', (h: Interceptor) => h.token({ status: 401, body: { error: 'access_denied' } }), 'token_http_401'],
    ['a malformed token', (h: Interceptor) => h.token({ body: { nope: 1 } }), 'token_malformed'],
    ['a ticket 429', (h: Interceptor) => h.token().verificationTicket({ status: 429, body: { statusCode: 429 } }), 'ticket_http_429'],
    ['a malformed ticket', (h: Interceptor) => h.token().verificationTicket({ body: { ticket: 42 } }), 'ticket_malformed'],
    [
      'a SendGrid 500',
      (h: Interceptor) =>
        h
          .token()
          .verificationTicket()
          .sendgrid({ status: 500, body: { errors: [] } }),
      'sendgrid_http_500',
    ],
    [
      'a SendGrid 400',
      (h: Interceptor) =>
        h
          .token()
          .verificationTicket()
          .sendgrid({ status: 400, body: { errors: [{ message: 'bad' }] } }),
      'sendgrid_http_400',
    ],
  ])('after %s: sets no flag, never denies, logs the reason', async (_name, arrange, reason) => {
    arrange(http);
    const api = fakePostLoginApi();
    const { lines } = await captureConsole(() => onExecutePostLogin(unverified(), api));
    expect(api.appMetadataCalls).toEqual([]);
    expect(api.denied).toEqual([]);
    expect(lines).toEqual([`verify-and-welcome user=auth0|user-1 verification_failed ${reason}`]);
    expect(lines.join('\n')).not.toMatch(/ada@example\.com|mgmt-token|SG\./);
  });

  it('names a missing secret and skips the path without a request', async () => {
    const event = unverified();
    event.secrets = fullSecrets({ VERIFY_TEMPLATE_ID: undefined, AUTH0_CLIENT_SECRET: '##AUTH0_CLIENT_SECRET##' });
    const api = fakePostLoginApi();
    const { lines } = await captureConsole(() => onExecutePostLogin(event, api));
    expect(http.requests).toEqual([]);
    expect(lines).toEqual([
      'verify-and-welcome user=auth0|user-1 verification_skipped missing_secret=AUTH0_CLIENT_SECRET,VERIFY_TEMPLATE_ID',
    ]);
  });

  it('never throws, even on an event without user fields it relies on', async () => {
    const api = fakePostLoginApi();
    const broken = { ...unverified(), user: null } as unknown as Parameters<typeof onExecutePostLogin>[0];
    const { lines } = await captureConsole(() => onExecutePostLogin(broken, api));
    expect(lines).toEqual(['verify-and-welcome user=unknown email_failed unexpected_error']);
    expect(api.denied).toEqual([]);
  });
});
