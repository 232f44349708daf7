import { startTestTenant } from '../test/helpers';
import type { LocalTenant } from '../server';

/** The fault injector in process: the SendGrid stand-in honours it, and a reset rejects app.fetch. */
let tenant: LocalTenant;
beforeAll(async () => {
  tenant = await startTestTenant({ sendgridApiKeys: ['SG.key'] });
});
afterAll(() => tenant.stop());
afterEach(() => tenant.faults.clear());

function mailSend(): Request {
  return new Request('https://api.sendgrid.com/v3/mail/send', {
    method: 'POST',
    headers: { authorization: 'Bearer SG.key', 'content-type': 'application/json' },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: 'ada@example.com' }] }],
      from: { email: 'no-reply@example.com' },
      subject: 'Hello',
      content: [{ type: 'text/plain', value: 'Hi' }],
    }),
  });
}

it('the SendGrid stand-in answers the injected 429 (with Retry-After), 503 and malformed body, then delivers again', async () => {
  tenant.faults.add({ route: 'POST /v3/mail/send', kind: '429', times: 1, retryAfter: 7 });
  tenant.faults.add({ route: 'POST /v3/mail/send', kind: '503', times: 1 });
  const limited = await tenant.sendgridApp.fetch(mailSend());
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toBe('7');
  expect((await tenant.sendgridApp.fetch(mailSend())).status).toBe(503);
  tenant.faults.add({ route: 'POST /v3/mail/send', kind: 'malformed', times: 1 });
  const malformed = await tenant.sendgridApp.fetch(mailSend());
  expect(malformed.status).toBe(200);
  await expect(malformed.json()).rejects.toThrow();
  expect(tenant.store.outbox.list({ to: 'ada@example.com' })).toHaveLength(0);

  expect((await tenant.sendgridApp.fetch(mailSend())).status).toBe(202);
  expect(tenant.store.outbox.list({ to: 'ada@example.com' })).toHaveLength(1);
});

it('an injected reset rejects app.fetch (tenant and SendGrid) instead of answering 500', async () => {
  tenant.faults.add({ route: 'POST /v3/mail/send', kind: 'reset', times: 1 });
  tenant.faults.add({ route: 'POST /oauth/token', kind: 'reset', times: 1 });
  await expect(tenant.sendgridApp.fetch(mailSend())).rejects.toMatchObject({ name: 'TypeError', code: 'ECONNRESET' });
  await expect(
    tenant.app.fetch(
      new Request(`${tenant.httpsUrl}/oauth/token`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }),
    ),
  ).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect(tenant.faults.list()).toEqual([]);
});

it('an in-process hang ends when the caller aborts', async () => {
  tenant.faults.add({ route: 'POST /v3/mail/send', kind: 'hang', times: 1, hangMs: 30_000 });
  const controller = new AbortController();
  const request = new Request(mailSend(), { signal: controller.signal });
  const started = Date.now();
  setTimeout(() => controller.abort(), 100);
  const response = await tenant.sendgridApp.fetch(request);
  expect(response.status).toBe(504);
  expect(Date.now() - started).toBeLessThan(2_000);
});
