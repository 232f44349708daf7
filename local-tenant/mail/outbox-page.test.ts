import { Outbox } from './outbox';
import { createOutboxApp } from './outbox-app';
import { outboxPageFingerprint, renderOutboxPage, withTopTargetLinks, type OutboxPageData } from './outbox-page';

const EVIL = '<script>alert(1)</script>';

function sampleData(): OutboxPageData {
  const outbox = new Outbox({ now: () => new Date('2026-11-01T12:00:00.000Z') });
  outbox.deliver({
    to: ['shared@example.com'],
    from: 'no-reply@example.com',
    fromName: 'Acme',
    subject: `Invitation for ${EVIL}`,
    html: '<html><head><title>x</title></head><body><a href="http://localhost:3000/lo/reset?ticket=T&amp;a=1">Accept</a> "quoted"</body></html>',
    source: { kind: 'sendgrid', messageId: 'mid', templateId: 'd-local-invite', templateName: 'invite' },
    sender: 'invite-on-registration',
    categories: ['invite', EVIL],
  });
  outbox.deliverTemplateEmail({
    template: 'reset_email',
    to: 'b@example.com',
    from: 'no-reply@example.com',
    subject: 'Reset',
    html: '<p>reset</p>',
  });
  return {
    emails: outbox.list(),
    executions: [
      {
        action: 'verify-and-welcome',
        trigger: 'post-login',
        time: '2026-11-01T12:00:01.000Z',
        user_id: 'auth0|1',
        logs: [`auth0|1 verify_sent ${EVIL}`],
        outcome: 'ok',
      },
    ],
    users: [
      {
        user_id: 'auth0|1',
        username: EVIL,
        email: 'shared@example.com',
        email_verified: false,
        app_metadata: { invite: true, note: EVIL },
      },
    ],
  };
}

describe('renderOutboxPage', () => {
  const page = renderOutboxPage(sampleData(), {
    fingerprintUrl: '/outbox/fingerprint',
    clearUrl: '/__local/outbox',
    emailHtmlUrl: '/__local/outbox/{id}/html',
  });

  test('shows recipient, subject, sender, template and time of each email, newest first', () => {
    expect(page).toContain('shared@example.com');
    expect(page).toContain('action <strong>invite-on-registration</strong>');
    expect(page).toContain('SendGrid template <strong>invite</strong> <code>d-local-invite</code>');
    expect(page).toContain('Auth0 template <strong>reset_email</strong>');
    expect(page).toContain('<time datetime="2026-11-01T12:00:00.000Z">');
    expect(page).toContain('Acme &lt;no-reply@example.com&gt;');
    expect(page.indexOf('Auth0 template')).toBeLessThan(page.indexOf('SendGrid template'));
  });

  test("escapes every piece of data: only the page's own script tag is left", () => {
    expect(page).not.toContain(EVIL);
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page).toContain('Invitation for &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;note&quot;: &quot;&lt;script&gt;');
  });

  test('renders each email in a sandboxed srcdoc iframe whose links open in the top window', () => {
    const iframe = /<iframe class="body" title="Email: Invitation[^>]*>/.exec(page)?.[0] ?? '';
    expect(iframe).toContain('sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"');
    expect(iframe).not.toContain('allow-scripts');
    expect(iframe).not.toContain('allow-same-origin');
    // srcdoc is the escaped email with a <base target="_top">
    expect(iframe).toContain('srcdoc="&lt;html&gt;&lt;head&gt;&lt;base target=&quot;_top&quot;&gt;&lt;title&gt;');
    expect(iframe).toContain('ticket=T&amp;amp;a=1');
    expect(iframe).toContain('&quot;quoted&quot;');
  });

  test('shows executions with their logs and users with their app_metadata', () => {
    expect(page).toContain('<strong>verify-and-welcome</strong> <span class="tag">post-login</span>');
    expect(page).toContain('auth0|1 verify_sent &lt;script&gt;');
    expect(page).toContain('&quot;invite&quot;: true');
    expect(page).toContain('<span class="tag">unverified</span>');
  });

  test('empty states', () => {
    const empty = renderOutboxPage({ emails: [], executions: [], users: [] });
    expect(empty).toContain('No email yet.');
    expect(empty).toContain('No Action has run yet.');
    expect(empty).toContain('No user yet.');
    expect(empty).toContain('"fingerprintUrl":null');
  });
});

test('withTopTargetLinks adds a base target to any shape of HTML', () => {
  expect(withTopTargetLinks('<html lang="en"><body>x</body></html>')).toBe(
    '<html lang="en"><head><base target="_top"></head><body>x</body></html>',
  );
  expect(withTopTargetLinks('<p>x</p>')).toBe('<base target="_top"><p>x</p>');
  expect(withTopTargetLinks('<HEAD>')).toBe('<HEAD><base target="_top">');
});

test('the fingerprint changes with the data', () => {
  const data = sampleData();
  const before = outboxPageFingerprint(data);
  data.users[0]!.app_metadata.welcome_email_sent = true;
  expect(outboxPageFingerprint(data)).not.toBe(before);
});

describe('createOutboxApp', () => {
  function setup() {
    const outbox = new Outbox();
    const email = outbox.deliverTemplateEmail({
      template: 'verify_email',
      to: 'a@example.com',
      from: 'no-reply@example.com',
      subject: 'Verify',
      html: '<p>verify</p>',
    });
    const app = createOutboxApp({
      outbox,
      pageExtras: () => ({ executions: [], users: [{ user_id: 'auth0|9', username: 'zoe', app_metadata: {} }] }),
    });
    return { outbox, email, app };
  }

  test('JSON routes: list, filter, get, 404, delete', async () => {
    const { app, email, outbox } = setup();
    const list = await app.request('/__local/outbox');
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([email]);
    expect(await (await app.request('/__local/outbox?to=nobody@example.com')).json()).toEqual([]);
    expect(await (await app.request(`/__local/outbox/${email.id}`)).json()).toEqual(email);
    expect((await app.request('/__local/outbox/nope')).status).toBe(404);
    expect((await app.request('/__local/outbox', { method: 'DELETE' })).status).toBe(204);
    expect(outbox.size).toBe(0);
  });

  test('the email alone is served with a sandbox CSP', async () => {
    const { app, email } = setup();
    const response = await app.request(`/__local/outbox/${email.id}/html`);
    expect(response.headers.get('content-security-policy')).toMatch(/^sandbox /);
    expect(await response.text()).toBe('<p>verify</p>');
  });

  test('/outbox renders the page with the injected users; /outbox/fingerprint follows changes', async () => {
    const { app, outbox } = setup();
    const page = await (await app.request('/outbox')).text();
    expect(page).toContain('<strong>zoe</strong>');
    expect(page).toContain('Verify');
    const first = ((await (await app.request('/outbox/fingerprint')).json()) as { fingerprint: string }).fingerprint;
    expect(page).toContain(`"fingerprint":"${first}"`);
    outbox.clear();
    const second = ((await (await app.request('/outbox/fingerprint')).json()) as { fingerprint: string }).fingerprint;
    expect(second).not.toBe(first);
  });
});
