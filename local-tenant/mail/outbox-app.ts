// Routes of the outbox on the local tenant's own host: JSON for tests, the page for people.
import { Hono } from 'hono';
import type { Outbox } from './outbox';
import { outboxPageFingerprint, renderOutboxPage, type OutboxPageData, type OutboxPageExtras } from './outbox-page';

interface OutboxAppOptions {
  outbox: Outbox;
  /** Supplies the Action executions and users shown beside the emails (the server owns them). */
  pageExtras?: () => OutboxPageExtras | Promise<OutboxPageExtras>;
  title?: string;
}

// The email HTML served alone gets its own opaque origin: no script, no access to this host.
const EMAIL_ALONE_CSP = 'sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation';

/**
 * GET /__local/outbox[?to=address]  -> OutboxEmail[] in delivery order
 * GET /__local/outbox/:id           -> OutboxEmail, or 404
 * GET /__local/outbox/:id/html      -> the email's HTML alone
 * DELETE /__local/outbox            -> 204
 * GET /outbox                       -> the page; GET /outbox/fingerprint -> { fingerprint }
 */
export function createOutboxApp(options: OutboxAppOptions): Hono {
  const { outbox } = options;
  const app = new Hono();

  const pageData = async (): Promise<OutboxPageData> => {
    const extras = options.pageExtras ? await options.pageExtras() : { executions: [], users: [] };
    return { emails: outbox.list(), executions: extras.executions, users: extras.users };
  };

  app.get('/__local/outbox', (c) => {
    const to = c.req.query('to');
    return c.json(outbox.list(to === undefined ? {} : { to }));
  });
  app.delete('/__local/outbox', (c) => {
    outbox.clear();
    return c.body(null, 204);
  });
  app.get('/__local/outbox/:id', (c) => {
    const email = outbox.get(c.req.param('id'));
    return email ? c.json(email) : c.json({ error: 'Not Found', message: 'No such email in the outbox' }, 404);
  });
  app.get('/__local/outbox/:id/html', (c) => {
    const email = outbox.get(c.req.param('id'));
    if (!email) return c.text('No such email in the outbox', 404);
    c.header('Content-Security-Policy', EMAIL_ALONE_CSP);
    return c.html(email.html);
  });

  app.get('/outbox', async (c) => {
    c.header('Cache-Control', 'no-store');
    const page = renderOutboxPage(await pageData(), {
      ...(options.title === undefined ? {} : { title: options.title }),
      fingerprintUrl: '/outbox/fingerprint',
      clearUrl: '/__local/outbox',
      emailHtmlUrl: '/__local/outbox/{id}/html',
    });
    return c.html(page);
  });
  app.get('/outbox/fingerprint', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ fingerprint: outboxPageFingerprint(await pageData()) });
  });

  return app;
}
