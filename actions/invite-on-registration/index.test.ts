import nock from 'nock';
import { EMAIL_BUDGET_MS } from '../shared/email-budget';
import { captureConsole, fakeRegistrationApi, fakeRegistrationEvent, fullSecrets } from '../../test/support/action-fakes';
import { AUTH0_ORIGIN, Interceptor, type SendGridBody } from '../../test/support/intercept';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onExecutePostUserRegistration } from './index';
import { CHANGE_PASSWORD_LINK_TTL_SEC } from './settings';

let http: Interceptor;
// The SDK's first load takes seconds on a busy machine, longer than one attempt at the record
// (2 s): loaded once here, so that the first test measures the Action and not the cold load.
beforeAll(() => {
  require('auth0/users');
});

/** The record a sent invitation leaves in app_metadata.invitation (times checked where it matters). */
const sentRecord = (via: 'ticket' | 'change_password') => ({ sent: expect.any(String), expires: expect.any(String), via });
beforeEach(() => (http = new Interceptor()));
afterEach(() => http.done());

const sharedInbox = { id: 'con_2', name: 'shared-inbox', strategy: 'auth0' };

describe('invite-on-registration, change_password mode', () => {
  it('asks Auth0 to send its change-password email when the user was created with invite: true', async () => {
    http.changePassword().token().userUpdate('auth0|user-1');
    const event = fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: true } } });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));
    // The email first; the token only for the record that follows it.
    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /dbconnections/change_password',
      'POST /oauth/token',
      'PATCH /api/v2/users/auth0%7Cuser-1',
    ]);
    expect(http.requests[0]?.body).toEqual({ client_id: 'app-client-id', email: 'ada@example.com', connection: 'members' });
    expect(http.requests[2]?.body).toEqual({ app_metadata: { invitation_email_sent: true, invitation: sentRecord('change_password') } });
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=change_password']);
  });

  it('first sets app_metadata.invite through the Management API, so the template reads as an invitation', async () => {
    http.token().userUpdate('auth0|user-1').changePassword().userUpdate('auth0|user-1');
    await onExecutePostUserRegistration(fakeRegistrationEvent(), fakeRegistrationApi());
    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /oauth/token',
      'PATCH /api/v2/users/auth0%7Cuser-1',
      'POST /dbconnections/change_password',
      'PATCH /api/v2/users/auth0%7Cuser-1',
    ]);
    expect(http.requests[1]?.body).toEqual({ app_metadata: { invite: true } });
    expect(http.requests[1]?.headers.authorization).toBe('Bearer mgmt-token-1');
    expect(http.requests[3]?.body).toEqual({ app_metadata: { invitation_email_sent: true, invitation: sentRecord('change_password') } });
  });

  it('sends nothing when the flag cannot be set', async () => {
    http.token().userUpdate('auth0|user-1', { status: 503 });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(fakeRegistrationEvent(), fakeRegistrationApi()));
    expect(http.of('POST', '/dbconnections/change_password')).toEqual([]);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invite_failed user_update_http_503']);
  });

  it('sends nothing when the update answers 200 without a user (malformed body): the flag is not confirmed', async () => {
    http.token().userUpdate('auth0|user-1', { body: '{"statusCode":200,"trunc' });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(fakeRegistrationEvent(), fakeRegistrationApi()));
    expect(http.of('POST', '/dbconnections/change_password')).toEqual([]);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invite_failed user_update_malformed']);
  });

  it('reports a refused change_password request', async () => {
    http.changePassword({ status: 429 });
    const event = fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: true } } });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));
    // Not accepted: nothing recorded.
    expect(http.requests.map((r) => r.path)).toEqual(['/dbconnections/change_password']);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invite_failed change_password_http_429']);
  });

  it('names the missing INVITE_CLIENT_ID and sends nothing', async () => {
    const event = fakeRegistrationEvent({
      userOverrides: { app_metadata: { invite: true } },
      secrets: fullSecrets({ INVITE_CLIENT_ID: '' }),
    });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));
    expect(http.requests).toEqual([]);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invite_change_password_skipped missing_secret=INVITE_CLIENT_ID']);
  });
});

describe('invite-on-registration, ticket mode', () => {
  it('creates a password-change ticket by user id and sends it with SendGrid, marked as an invitation', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const event = fakeRegistrationEvent({ connection: sharedInbox });
    const before = Date.now();
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));

    expect(http.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /oauth/token',
      'POST /api/v2/tickets/password-change',
      'POST /v3/mail/send',
      'PATCH /api/v2/users/auth0%7Cuser-1',
    ]);
    expect(http.requests[3]?.body).toEqual({ app_metadata: { invitation_email_sent: true, invitation: sentRecord('ticket') } });
    expect(http.requests[0]?.body).toEqual({
      grant_type: 'client_credentials',
      client_id: 'm2m-client-id-0123456789abcdef01',
      client_secret: 'm2m-client-secret',
      audience: 'https://email-flows-test.eu.auth0.com/api/v2/',
    });
    expect(http.requests[1]?.body).toEqual({
      user_id: 'auth0|user-1',
      client_id: 'app-client-id',
      ttl_sec: 604800,
      mark_email_as_verified: true,
      includeEmailInRedirect: false,
    });
    const body = http.requests[2]?.body as SendGridBody;
    expect(http.requests[2]?.headers.authorization).toBe('Bearer SG.test-key');
    expect(body.from).toEqual({ email: 'no-reply@example.com', name: 'Example' });
    expect(body.template_id).toBe('d-invite');
    expect(body.personalizations[0]?.to).toEqual([{ email: 'ada@example.com' }]);
    const data = body.personalizations[0]?.dynamic_template_data ?? {};
    expect(data).toMatchObject({
      ticket_url: 'https://email-flows-test.eu.auth0.com/lo/reset?ticket=pct-123#type=invite&app=Example%20App',
      username: 'ada',
      email: 'ada@example.com',
      app_name: 'Example App',
      locale: 'en',
    });
    const expiresAt = Date.parse(String(data.expires_at));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 604_800_000);
    expect(expiresAt).toBeLessThan(before + 604_800_000 + 60_000);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('uses result_url when no INVITE_CLIENT_ID is set, never both', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const event = fakeRegistrationEvent({
      connection: sharedInbox,
      secrets: fullSecrets({ INVITE_CLIENT_ID: undefined, INVITE_APP_NAME: '' }),
    });
    await onExecutePostUserRegistration(event, fakeRegistrationApi());
    expect(http.requests[1]?.body).toEqual({
      user_id: 'auth0|user-1',
      result_url: 'https://app.example.com/welcome',
      ttl_sec: 604800,
      mark_email_as_verified: true,
      includeEmailInRedirect: false,
    });
    const body = http.requests[2]?.body as SendGridBody;
    expect(body.personalizations[0]?.dynamic_template_data.ticket_url).toBe(
      'https://email-flows-test.eu.auth0.com/lo/reset?ticket=pct-123#type=invite',
    );
  });

  it('applies INVITE_MODE=ticket to every invited user and the per-locale invite template', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const event = fakeRegistrationEvent({
      userOverrides: { user_metadata: { locale: 'fr' } },
      secrets: fullSecrets({ INVITE_MODE: 'ticket', TEMPLATE_IDS: '{"invite":{"fr":"d-invite-fr"}}' }),
    });
    await onExecutePostUserRegistration(event, fakeRegistrationApi());
    const body = http.requests[2]?.body as SendGridBody;
    expect(body.template_id).toBe('d-invite-fr');
    expect(body.personalizations[0]?.dynamic_template_data.locale).toBe('fr');
  });

  it('sends no email when the ticket is refused for good (a 4xx other than 429 is not asked again)', async () => {
    http.token().passwordChangeTicket({ status: 404, body: { statusCode: 404 } });
    const { lines } = await captureConsole(() =>
      onExecutePostUserRegistration(fakeRegistrationEvent({ connection: sharedInbox }), fakeRegistrationApi()),
    );
    expect(http.of('POST', '/api/v2/tickets/password-change')).toHaveLength(1);
    expect(http.of('POST', '/v3/mail/send')).toEqual([]);
    expect(http.of('PATCH', '/api/v2/users/auth0%7Cuser-1')).toEqual([]);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invite_failed ticket_http_404']);
  });
});

describe('invite-on-registration, a ticket request refused for now (a bulk invitation shares the rate limit)', () => {
  const invited = () => fakeRegistrationEvent({ connection: sharedInbox });
  const tooMany = (headers: Record<string, string>) => ({ status: 429, body: { statusCode: 429, error: 'Too Many Requests' }, headers });

  it("asks again after a 429's Retry-After, then sends and records once", async () => {
    http
      .token()
      .passwordChangeTicket(tooMany({ 'retry-after': '1' }))
      .passwordChangeTicket()
      .sendgrid()
      .userUpdate('auth0|user-1');
    const started = Date.now();
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(http.of('POST', '/api/v2/tickets/password-change')).toHaveLength(2);
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(1);
    expect(http.of('PATCH', '/api/v2/users/auth0%7Cuser-1')).toHaveLength(1);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('waits until x-ratelimit-reset when a 429 has no Retry-After (Auth0 documents Retry-After for custom policies only)', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    http
      .token()
      .passwordChangeTicket(tooMany({ 'x-ratelimit-reset': reset }))
      .passwordChangeTicket()
      .sendgrid()
      .userUpdate('auth0|user-1');
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(Date.now()).toBeGreaterThanOrEqual(Number(reset) * 1000);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('gives up at once, saying why, when Retry-After does not fit the email budget', async () => {
    http.token().passwordChangeTicket(tooMany({ 'retry-after': '30' }));
    const started = Date.now();
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(http.of('POST', '/v3/mail/send')).toEqual([]);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invite_failed ticket_http_429_retry_after_30s_past_budget']);
  });

  it('asks again after a 5xx and a dropped connection', async () => {
    http.token().passwordChangeTicket({ status: 503, body: { statusCode: 503 } });
    nock(AUTH0_ORIGIN).post('/api/v2/tickets/password-change').replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    http.passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(http.of('POST', '/api/v2/tickets/password-change')).toHaveLength(2);
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(1);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('stops asking while the email budget still has room for the send, and says how often it asked', async () => {
    http.token();
    for (let i = 0; i < 6; i++) http.passwordChangeTicket(tooMany({ 'retry-after': '1' }));
    const started = Date.now();
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    nock.cleanAll();
    // 5 s of email budget (the token and the SDK's first load take their share), 1.5 s kept for
    // an attempt and the send, a second (and up to 250 ms) apart: two to four attempts.
    expect(Date.now() - started).toBeLessThan(EMAIL_BUDGET_MS);
    const attempts = http.of('POST', '/api/v2/tickets/password-change').length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(attempts).toBeLessThanOrEqual(4);
    expect(http.of('POST', '/v3/mail/send')).toEqual([]);
    expect(lines).toEqual([`invite-on-registration user=auth0|user-1 invite_failed ticket_http_429_after_${attempts}_attempts`]);
  });

  it('names every missing secret of the ticket path', async () => {
    const event = fakeRegistrationEvent({
      connection: sharedInbox,
      secrets: fullSecrets({ INVITE_TEMPLATE_ID: '', SENDGRID_API_KEY: '##SENDGRID_API_KEY##' }),
    });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));
    expect(http.requests).toEqual([]);
    expect(lines).toEqual([
      'invite-on-registration user=auth0|user-1 invite_ticket_skipped missing_secret=INVITE_TEMPLATE_ID,SENDGRID_API_KEY',
    ]);
  });
});

describe('invite-on-registration, the record of a sent invitation (app_metadata.invitation_email_sent)', () => {
  const invited = () => fakeRegistrationEvent({ connection: sharedInbox });

  it('asks for the record again when a 429 asks to wait past its budget (a lost record means a second email)', async () => {
    http
      .token()
      .passwordChangeTicket()
      .sendgrid()
      .userUpdate('auth0|user-1', { status: 503 })
      .userUpdate('auth0|user-1', { status: 429, headers: { 'retry-after': '30' } })
      .userUpdate('auth0|user-1');
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(http.of('PATCH', '/api/v2/users/auth0%7Cuser-1')).toHaveLength(3);
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(1);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('gives up on the record when its budget ends, says how often it asked; the email went once', async () => {
    http.token().passwordChangeTicket().sendgrid();
    for (let i = 0; i < 8; i++) http.userUpdate('auth0|user-1', { status: 429, headers: { 'retry-after': '30' } });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    nock.cleanAll();
    const attempts = http.of('PATCH', '/api/v2/users/auth0%7Cuser-1').length;
    // 6 s of record budget, pauses of 250 ms, 500 ms, 1 s, 2 s (+ up to 250 ms each).
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(http.of('POST', '/v3/mail/send')).toHaveLength(1);
    expect(lines).toEqual([
      `invite-on-registration user=auth0|user-1 invited mode=ticket not_recorded=user_update_http_429_after_${attempts}_attempts`,
    ]);
  });

  it('sets the record after 429s, each waited out (Retry-After), past the three attempts it used to stop at', async () => {
    http.token().passwordChangeTicket().sendgrid();
    for (const wait of ['0', '1', '0']) http.userUpdate('auth0|user-1', { status: 429, headers: { 'retry-after': wait } });
    http.userUpdate('auth0|user-1');
    const started = Date.now();
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(http.of('PATCH', '/api/v2/users/auth0%7Cuser-1')).toHaveLength(4);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('retries a record that failed once, and logs nothing more when the second attempt sets it', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1', { status: 500 }).userUpdate('auth0|user-1');
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(http.of('PATCH', '/api/v2/users/auth0%7Cuser-1').map((r) => r.body)).toEqual([
      { app_metadata: { invitation_email_sent: true, invitation: sentRecord('ticket') } },
      { app_metadata: { invitation_email_sent: true, invitation: sentRecord('ticket') } },
    ]);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);
  });

  it('does not retry a refusal (404: the user is gone)', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1', { status: 404 });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(invited(), fakeRegistrationApi()));
    expect(http.of('PATCH', '/api/v2/users/auth0%7Cuser-1')).toHaveLength(1);
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket not_recorded=user_update_http_404']);
  });

  it('names the missing credentials when change_password mode has none to record with; the email still goes', async () => {
    http.changePassword();
    const event = fakeRegistrationEvent({
      userOverrides: { app_metadata: { invite: true } },
      secrets: fullSecrets({ AUTH0_CLIENT_SECRET: '' }),
    });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));
    expect(http.requests.map((r) => r.path)).toEqual(['/dbconnections/change_password']);
    expect(lines).toEqual([
      'invite-on-registration user=auth0|user-1 invited mode=change_password not_recorded=missing_secret=AUTH0_CLIENT_SECRET',
    ]);
  });
});

describe('invite-on-registration, the invitation record (app_metadata.invitation)', () => {
  const sharedInboxUser = (appMetadata: Record<string, unknown>) =>
    fakeRegistrationEvent({ connection: sharedInbox, userOverrides: { app_metadata: appMetadata } });

  it("ticket mode: when sent, when the link expires (the ticket's ttl_sec, as the email states), how, and who invited", async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const before = Date.now();
    await onExecutePostUserRegistration(sharedInboxUser({ invitation: { by: 'Grace Hopper' } }), fakeRegistrationApi());
    const after = Date.now();
    const record = (http.requests[3]?.body as { app_metadata: { invitation: Record<string, string> } }).app_metadata.invitation;
    expect(Object.keys(record).sort()).toEqual(['by', 'expires', 'sent', 'via']);
    expect(record.via).toBe('ticket');
    expect(record.by).toBe('Grace Hopper');
    const sent = Date.parse(record.sent!);
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(sent).toBeLessThanOrEqual(after);
    expect(Date.parse(record.expires!) - sent).toBe(604_800_000);
    const data = (http.requests[2]?.body as SendGridBody).personalizations[0]?.dynamic_template_data ?? {};
    expect(data.expires_at).toBe(record.expires);
    expect(data.invited_by).toBe('Grace Hopper');
  });

  it("change_password mode: the link lives as long as the reset template's urlLifetimeInSeconds", async () => {
    http.changePassword().token().userUpdate('auth0|user-1');
    const event = fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: true } } });
    await onExecutePostUserRegistration(event, fakeRegistrationApi());
    const record = (http.requests[2]?.body as { app_metadata: { invitation: Record<string, string> } }).app_metadata.invitation;
    expect(record.via).toBe('change_password');
    expect(record.by).toBeUndefined();
    const template = JSON.parse(readFileSync(join(__dirname, '../../tenant/emails/reset_email.json'), 'utf8')) as {
      urlLifetimeInSeconds: number;
    };
    expect(CHANGE_PASSWORD_LINK_TTL_SEC).toBe(template.urlLifetimeInSeconds);
    expect(Date.parse(record.expires!) - Date.parse(record.sent!)).toBe(template.urlLifetimeInSeconds * 1000);
  });

  it('a new invitation replaces an earlier acceptance or revocation, keeping who invited', async () => {
    http.token().passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const earlier = {
      sent: '2020-01-01T00:00:00.000Z',
      expires: '2020-01-08T00:00:00.000Z',
      via: 'ticket',
      by: 'Ada',
      revoked: '2020-01-02T00:00:00.000Z',
      how: 'block',
    };
    await onExecutePostUserRegistration(sharedInboxUser({ invitation: earlier }), fakeRegistrationApi());
    const record = (http.requests[3]?.body as { app_metadata: { invitation: Record<string, string> } }).app_metadata.invitation;
    expect(record).toEqual({ sent: expect.any(String), expires: expect.any(String), via: 'ticket', by: 'Ada' });
    expect(record.sent).not.toBe(earlier.sent);
  });
});

describe('invite-on-registration, who is invited', () => {
  it('leaves other users alone, silently', async () => {
    const event = fakeRegistrationEvent({ connection: { id: 'c', name: 'other', strategy: 'auth0' } });
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(event, fakeRegistrationApi()));
    expect(http.requests).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('logs and skips an invited user without email, and one who opted out', async () => {
    const noEmail = fakeRegistrationEvent({ userOverrides: { email: undefined } });
    const optedOut = fakeRegistrationEvent({ userOverrides: { app_metadata: { invite: false } } });
    const { lines } = await captureConsole(async () => {
      await onExecutePostUserRegistration(noEmail, fakeRegistrationApi());
      await onExecutePostUserRegistration(optedOut, fakeRegistrationApi());
    });
    expect(http.requests).toEqual([]);
    expect(lines).toEqual([
      'invite-on-registration user=auth0|user-1 not_invited no_email',
      'invite-on-registration user=auth0|user-1 not_invited opted_out',
    ]);
  });
});

describe('invite-on-registration, for another application (app_metadata.app)', () => {
  const partnerMetadata = { email_invite_template: 'd-partner-invite', email_locale: 'fr', email_welcome_template: 'd-partner-welcome' };
  const forPartner = (connection = sharedInbox) =>
    fakeRegistrationEvent({ connection, userOverrides: { app_metadata: { invite: true, app: 'partner-client-id' } } });

  it('ticket mode: reads the application once (then from api.cache), and sends its template, name, locale and login route', async () => {
    http
      .token()
      .application('partner-client-id', { body: { name: 'Partner Portal', client_metadata: partnerMetadata } })
      .passwordChangeTicket()
      .sendgrid()
      .userUpdate('auth0|user-1');
    const api = fakeRegistrationApi();
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(forPartner(), api));
    expect(http.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'POST /oauth/token',
      'GET /api/v2/clients/partner-client-id',
      'POST /api/v2/tickets/password-change',
      'POST /v3/mail/send',
      'PATCH /api/v2/users/auth0%7Cuser-1',
    ]);
    const read = new URL(`https://x${http.requests[1]!.path}`);
    expect(read.searchParams.get('fields')).toBe('name,client_metadata');
    expect(http.requests[1]?.headers.authorization).toBe('Bearer mgmt-token-1');
    // The ticket leads to the application's own login route: its client_id, not INVITE_CLIENT_ID.
    expect(http.requests[2]?.body).toMatchObject({ client_id: 'partner-client-id' });
    const body = http.requests[3]?.body as SendGridBody;
    expect(body.template_id).toBe('d-partner-invite');
    expect(body.personalizations[0]?.dynamic_template_data).toMatchObject({ app_name: 'Partner Portal', locale: 'fr', language: 'fr' });
    expect(lines).toEqual(['invite-on-registration user=auth0|user-1 invited mode=ticket']);

    // A second invitation for that application reads it from api.cache.
    http.passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    await captureConsole(() => onExecutePostUserRegistration(forPartner(), api));
    expect(http.of('GET', '/api/v2/clients/partner-client-id')).toHaveLength(1);
    expect((http.of('POST', '/v3/mail/send')[1]?.body as SendGridBody).template_id).toBe('d-partner-invite');
  });

  it('ticket mode: an application that cannot be read, or names no invitation template, gets the default template, still to its own login route', async () => {
    http.token().application('partner-client-id', {
      status: 403,
      body: { statusCode: 403, errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: read:clients' },
    });
    http.passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const { lines } = await captureConsole(() => onExecutePostUserRegistration(forPartner(), fakeRegistrationApi()));
    expect(http.of('POST', '/api/v2/tickets/password-change')[0]?.body).toMatchObject({ client_id: 'partner-client-id' });
    expect((http.of('POST', '/v3/mail/send')[0]?.body as SendGridBody).template_id).toBe('d-invite');
    expect(lines).toEqual([
      'invite-on-registration user=auth0|user-1 app_unread client_read_insufficient_scope:read:clients',
      'invite-on-registration user=auth0|user-1 invited mode=ticket',
    ]);

    http
      .token()
      .application('partner-client-id', { body: { name: 'Partner Portal', client_metadata: { email_invite_template: 'not-a-template' } } });
    http.passwordChangeTicket().sendgrid().userUpdate('auth0|user-1');
    const second = await captureConsole(() => onExecutePostUserRegistration(forPartner(), fakeRegistrationApi()));
    expect((http.of('POST', '/v3/mail/send')[1]?.body as SendGridBody).template_id).toBe('d-invite');
    expect((http.of('POST', '/v3/mail/send')[1]?.body as SendGridBody).personalizations[0]?.dynamic_template_data).toMatchObject({
      app_name: 'Partner Portal',
    });
    expect(second.lines[0]).toBe('invite-on-registration user=auth0|user-1 setting_ignored email_invite_template invalid');
  });

  it("change_password mode: Auth0 is asked with the application's client_id (its reset_email then renders for it); no client read", async () => {
    http.changePassword().token().userUpdate('auth0|user-1');
    await captureConsole(() =>
      onExecutePostUserRegistration(forPartner({ id: 'con_1', name: 'members', strategy: 'auth0' }), fakeRegistrationApi()),
    );
    expect(http.of('POST', '/dbconnections/change_password')[0]?.body).toMatchObject({ client_id: 'partner-client-id' });
    expect(http.requests.some((r) => r.path.startsWith('/api/v2/clients'))).toBe(false);
  });
});
