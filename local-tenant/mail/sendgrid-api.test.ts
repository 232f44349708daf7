// The SendGrid stand-in driven by the real @sendgrid/mail client over real HTTP.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@sendgrid/client';
import { MailService, type ResponseError } from '@sendgrid/mail';
import { Outbox } from './outbox';
import { createSendgridApp, validateMailSend, type SendgridErrorBody } from './sendgrid-api';

const API_KEY = 'SG.local-test-key';
const FROM = 'no-reply@example.com';

let server: ServerType;
let baseUrl: string;
const outbox = new Outbox();

function listen(): Promise<{ server: ServerType; url: string }> {
  const app = createSendgridApp({ outbox, apiKeys: [API_KEY] });
  return new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({ server: s, url: `http://127.0.0.1:${info.port}` });
    });
  });
}

/** The way the facts file says to point @sendgrid/mail at another host. */
function mailer(apiKey = API_KEY): { mail: MailService; client: Client } {
  const client = new Client();
  client.setApiKey(apiKey); // resets baseUrl, so it goes first
  client.setDefaultRequest('baseUrl', baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  return { mail, client };
}

async function sendError(promise: Promise<unknown>): Promise<ResponseError> {
  try {
    await promise;
  } catch (error) {
    return error as ResponseError;
  }
  throw new Error('expected the send to fail');
}

function errorBody(error: ResponseError): SendgridErrorBody {
  return error.response.body as unknown as SendgridErrorBody;
}

const inviteData = {
  ticket_url: 'http://localhost:3000/lo/reset?ticket=abc123&x=1#type=invite&app=Acme',
  username: 'alice',
  email: 'shared@example.com',
  expires_at: '2026-11-20T10:30:00.000Z',
  app_name: 'Acme',
  locale: 'en',
  language: 'en',
};

beforeAll(async () => {
  ({ server, url: baseUrl } = await listen());
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => outbox.clear());

describe('POST /v3/mail/send with @sendgrid/mail', () => {
  test('a dynamic template send: 202, x-message-id, rendered into the outbox', async () => {
    const { mail } = mailer();
    const [response] = await mail.send({
      to: 'shared@example.com',
      from: { email: FROM, name: 'Acme' },
      templateId: 'd-local-invite',
      dynamicTemplateData: inviteData,
      hideWarnings: true,
      categories: ['invite'],
      customArgs: { action: 'invite-on-registration', user_id: 'auth0|1' },
    });
    expect(response.statusCode).toBe(202);
    // @sendgrid/client types the headers `any`; axios gives them as text.
    const messageId = (response.headers as Record<string, string>)['x-message-id'];
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(response.body).toBe('');

    const emails = outbox.list();
    expect(emails).toHaveLength(1);
    const email = emails[0]!;
    expect(email.to).toEqual(['shared@example.com']);
    expect(email.from).toBe(FROM);
    expect(email.fromName).toBe('Acme');
    expect(email.subject).toBe('You are invited to Acme: account alice');
    expect(email.html).toContain('<strong>alice</strong>');
    // The URL is attribute-escaped by Handlebars; a browser reads it back unchanged.
    expect(email.html).toContain(
      'href="http://localhost:3000/lo/reset?ticket&#x3D;abc123&amp;x&#x3D;1#type&#x3D;invite&amp;app&#x3D;Acme"',
    );
    expect(email.html).toContain('November 20, 2026, 10:30');
    expect(email.sender).toBe('invite-on-registration');
    expect(email.user_id).toBe('auth0|1');
    expect(email.categories).toEqual(['invite']);
    expect(email.source).toEqual({
      kind: 'sendgrid',
      messageId,
      templateId: 'd-local-invite',
      templateName: 'invite',
      dynamicTemplateData: inviteData,
    });
  });

  test('the French version, chosen by language (the sender adds it from the locale)', async () => {
    const { mail } = mailer();
    await mail.send({
      to: 'shared@example.com',
      from: FROM,
      templateId: 'd-local-verify',
      dynamicTemplateData: {
        verify_url: 'http://localhost:3000/verify?t=1',
        username: 'bob',
        email: 'shared@example.com',
        locale: 'fr-CA',
        language: 'fr',
        app_name: 'Acme',
      },
    });
    const email = outbox.list()[0]!;
    expect(email.subject).toBe('Vérifiez votre adresse pour Acme (compte bob)');
    expect(email.html).toContain('Vérifier mon adresse');
  });

  test('user-controlled data is escaped in the HTML; the plain-text subject keeps it as is', async () => {
    const { mail } = mailer();
    await mail.send({
      to: 'shared@example.com',
      from: FROM,
      templateId: 'd-local-welcome',
      hideWarnings: true,
      dynamicTemplateData: { username: '<img src=x onerror=alert(1)>', email: 'shared@example.com', locale: 'en', app_name: 'Acme & Co' },
    });
    const email = outbox.list()[0]!;
    expect(email.html).not.toContain('<img src=x');
    expect(email.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(email.html).toContain('Acme &amp; Co');
    expect(email.subject).toBe('Welcome to Acme & Co, <img src=x onerror=alert(1)>');
  });

  test('the sender header set by the Actions runtime wins over custom_args', async () => {
    const { mail, client } = mailer();
    client.setDefaultHeader('x-local-action', 'verify-and-welcome');
    await mail.send({
      to: 'a@example.com',
      from: FROM,
      templateId: 'd-local-welcome',
      customArgs: { action: 'other' },
      dynamicTemplateData: { username: 'a', email: 'a@example.com', locale: 'en', app_name: 'Acme' },
    });
    expect(outbox.list()[0]!.sender).toBe('verify-and-welcome');
  });

  test('an unknown template id keeps the raw data for display', async () => {
    const { mail } = mailer();
    await mail.send({
      to: 'a@example.com',
      from: FROM,
      templateId: 'd-0123456789abcdef0123456789abcdef',
      dynamicTemplateData: { username: '<b>x</b>', ticket_url: 'http://localhost/t' },
    });
    const email = outbox.list()[0]!;
    expect(email.subject).toBe('(template d-0123456789abcdef0123456789abcdef)');
    expect(email.html).toContain('&quot;username&quot;: &quot;&lt;b&gt;x&lt;/b&gt;&quot;');
    expect(email.source).toMatchObject({ kind: 'sendgrid', templateId: 'd-0123456789abcdef0123456789abcdef' });
    expect(email.source.kind === 'sendgrid' && email.source.templateName).toBeFalsy();
  });

  test('inline content without a template', async () => {
    const { mail } = mailer();
    await mail.send({ to: 'a@example.com', from: FROM, subject: 'Hello', text: 'plain body', html: '<p>html body</p>' });
    const email = outbox.list()[0]!;
    expect(email.subject).toBe('Hello');
    expect(email.html).toBe('<p>html body</p>');
    expect(email.text).toBe('plain body');
    expect(email.source).toEqual({ kind: 'sendgrid', messageId: expect.any(String) });
  });

  test('sendMultiple: one outbox email per personalization, same message id', async () => {
    const { mail } = mailer();
    const [response] = await mail.sendMultiple({ to: ['a@example.com', 'b@example.com'], from: FROM, subject: 'Hi', text: 'x' });
    const emails = outbox.list();
    expect(emails.map((e) => e.to)).toEqual([['a@example.com'], ['b@example.com']]);
    const ids = emails.map((e) => (e.source.kind === 'sendgrid' ? e.source.messageId : ''));
    const messageId = (response.headers as Record<string, string>)['x-message-id'];
    expect(ids).toEqual([messageId, messageId]);
  });

  test('sandbox mode: 200, validated, not delivered', async () => {
    const { mail } = mailer();
    const [response] = await mail.send({
      to: 'a@example.com',
      from: FROM,
      templateId: 'd-local-welcome',
      mailSettings: { sandboxMode: { enable: true } },
    });
    expect(response.statusCode).toBe(200);
    expect(outbox.size).toBe(0);

    const error = await sendError(mail.send({ to: 'a@example.com', from: FROM, mailSettings: { sandboxMode: { enable: true } } } as never));
    expect(error.code).toBe(400);
    expect(errorBody(error).errors.map((e) => e.field)).toEqual(['subject', 'content']);
  });

  test('400: missing from, subject and content, all reported at once as SendGrid does', async () => {
    const { mail } = mailer();
    const error = await sendError(mail.send({ to: 'a@example.com' } as never));
    expect(error.code).toBe(400);
    expect(errorBody(error)).toEqual({
      errors: [
        expect.objectContaining({
          field: 'from.email',
          message: expect.stringMatching(/^The from object must be provided/),
          help: expect.stringContaining('#message.from'),
        }),
        expect.objectContaining({ field: 'subject', message: expect.stringMatching(/^The subject is required/) }),
        expect.objectContaining({ field: 'content', message: expect.stringMatching(/^Unless a valid template_id is provided/) }),
      ],
    });
    expect(outbox.size).toBe(0);
  });

  test('400: an invalid recipient address', async () => {
    const { mail } = mailer();
    const error = await sendError(mail.send({ to: 'not-an-address', from: FROM, subject: 's', text: 't' }));
    expect(errorBody(error).errors).toEqual([
      {
        message: 'Does not contain a valid address.',
        field: 'personalizations.0.to.0.email',
        help: expect.stringContaining('#message.personalizations.to'),
      },
    ]);
  });

  test('400: the same address twice in one personalization', async () => {
    const { mail } = mailer();
    const error = await sendError(mail.send({ to: 'a@example.com', cc: 'A@example.com', from: FROM, subject: 's', text: 't' }));
    expect(errorBody(error).errors[0]).toMatchObject({
      field: 'personalizations.0',
      message: expect.stringContaining('in the personalizations.0.cc field'),
    });
  });

  test('400 from bodies the mail helper would refuse, sent with the real client', async () => {
    const { client } = mailer();
    const send = (body: object) => sendError(client.request({ method: 'POST', url: '/v3/mail/send', body }));
    const base = { from: { email: FROM }, subject: 's', content: [{ type: 'text/plain', value: 't' }] };

    const noPersonalizations = await send(base);
    expect(errorBody(noPersonalizations).errors).toEqual([
      {
        message: 'The personalizations field is required and must have at least one personalization.',
        field: 'personalizations',
        help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#-Personalizations-Errors',
      },
    ]);

    const noTo = await send({ ...base, personalizations: [{ to: [] }] });
    expect(errorBody(noTo).errors[0]).toMatchObject({
      field: 'personalizations.0.to',
      message: expect.stringMatching(/^The to array is required/),
    });

    const badArgs = await send({ ...base, personalizations: [{ to: [{ email: 'a@example.com' }], custom_args: { n: 1 } }] });
    expect(errorBody(badArgs).errors[0]).toMatchObject({
      field: 'personalizations.0.custom_args.n',
      message: 'Invalid type. Expected: string, given: integer.',
    });

    const badSandbox = await send({
      ...base,
      personalizations: [{ to: [{ email: 'a@example.com' }] }],
      mail_settings: { sandbox_mode: { enable: 'true' } },
    });
    expect(errorBody(badSandbox).errors[0]).toMatchObject({
      field: 'mail_settings.sandbox_mode.enable',
      message: 'The sandbox mode enable param should be a boolean value.',
    });
  });

  test("401 with SendGrid's body on a wrong key", async () => {
    const { mail } = mailer('SG.wrong');
    const error = await sendError(mail.send({ to: 'a@example.com', from: FROM, subject: 's', text: 't' }));
    expect(error.code).toBe(401);
    expect(errorBody(error)).toEqual({
      errors: [{ message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null }],
    });
    expect(outbox.size).toBe(0);
  });

  test('401 without an Authorization header; 400 on a body that is not JSON', async () => {
    const url = `${baseUrl}/v3/mail/send`;
    const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ errors: [{ message: 'authorization required', field: null, help: null }] });

    const malformed = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: '{"personalizations":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as SendgridErrorBody).errors).toHaveLength(1);
  });
});

describe('validateMailSend', () => {
  test('accepts what @sendgrid/mail sends for a dynamic template and keeps only what it reads', () => {
    const result = validateMailSend({
      from: { email: FROM },
      personalizations: [{ to: [{ email: 'a@example.com', name: 'A' }], dynamic_template_data: { x: 1 }, custom_args: { action: 'x' } }],
      template_id: 'd-local-invite',
      categories: ['invite'],
      tracking_settings: { click_tracking: { enable: false } },
    });
    expect(result).toEqual({
      ok: true,
      request: {
        from: { email: FROM },
        personalizations: [{ to: [{ email: 'a@example.com', name: 'A' }], dynamic_template_data: { x: 1 }, custom_args: { action: 'x' } }],
        template_id: 'd-local-invite',
        categories: ['invite'],
      },
    });
  });

  test('a subject in every personalization replaces the message subject; more than 10 categories are refused', () => {
    const personalizations = [{ to: [{ email: 'a@example.com' }], subject: 'p' }];
    expect(validateMailSend({ from: { email: FROM }, personalizations, content: [{ type: 'text/plain', value: 'x' }] }).ok).toBe(true);
    const tooMany = validateMailSend({
      from: { email: FROM },
      personalizations,
      content: [{ type: 'text/plain', value: 'x' }],
      categories: Array.from({ length: 11 }, (_, i) => `c${i}`),
    });
    expect(tooMany.ok).toBe(false);
  });
});
