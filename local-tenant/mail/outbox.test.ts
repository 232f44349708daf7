import type { RenderedTemplateEmail } from '../authentication-api/template-emails';
import { Outbox, type Auth0TemplateEmail } from './outbox';

// The server's DeliverTemplateEmail hands its TemplateEmail straight to deliverTemplateEmail.
const serverEmailFits: (email: RenderedTemplateEmail) => Auth0TemplateEmail = (email) => email;
void serverEmailFits;

function fixedOutbox(): Outbox {
  let ids = 0;
  let seconds = 0;
  return new Outbox({ now: () => new Date(Date.UTC(2026, 10, 1, 12, 0, seconds++)), newId: () => `m${++ids}` });
}

const resetEmail = {
  template: 'reset_email',
  to: 'Shared@Example.com',
  from: 'no-reply@example.com',
  subject: 'You are invited to Acme',
  html: '<p>hi</p>',
};

test('deliverTemplateEmail stores an Auth0 email with id, time and source', () => {
  const outbox = fixedOutbox();
  const email = outbox.deliverTemplateEmail({ ...resetEmail, sender: 'invite-on-registration', user_id: 'auth0|1' });
  expect(email).toEqual({
    id: 'm1',
    time: '2026-11-01T12:00:00.000Z',
    to: ['Shared@Example.com'],
    from: 'no-reply@example.com',
    subject: 'You are invited to Acme',
    html: '<p>hi</p>',
    source: { kind: 'auth0', template: 'reset_email' },
    sender: 'invite-on-registration',
    user_id: 'auth0|1',
    categories: [],
  });
  expect(outbox.get('m1')).toEqual(email);
  expect(outbox.get('nope')).toBeUndefined();
});

test('list keeps delivery order and filters by recipient, case-insensitively; results are copies', () => {
  const outbox = fixedOutbox();
  outbox.deliverTemplateEmail(resetEmail);
  outbox.deliver({
    to: ['b@example.com'],
    cc: ['shared@example.com'],
    from: 'x@example.com',
    subject: 's',
    html: 'h',
    source: { kind: 'sendgrid', messageId: 'abc' },
  });
  outbox.deliver({ to: ['c@example.com'], from: 'x@example.com', subject: 's', html: 'h', source: { kind: 'sendgrid', messageId: 'def' } });
  expect(outbox.list().map((e) => e.id)).toEqual(['m1', 'm2', 'm3']);
  expect(outbox.list({ to: 'shared@example.com' }).map((e) => e.id)).toEqual(['m1', 'm2']);
  outbox.list()[0]!.subject = 'changed';
  expect(outbox.get('m1')!.subject).toBe('You are invited to Acme');
});

test('snapshot and restore round-trip; a malformed snapshot is refused and changes nothing', () => {
  const outbox = fixedOutbox();
  outbox.deliverTemplateEmail(resetEmail);
  const snapshot = JSON.parse(JSON.stringify(outbox.snapshot())) as unknown;

  const restored = new Outbox();
  restored.restore(snapshot);
  expect(restored.list()).toEqual(outbox.list());

  expect(() => restored.restore({ version: 2, emails: [] })).toThrow(/version/);
  expect(() => restored.restore({ version: 1, emails: [{ id: 'x' }] })).toThrow(/index 0/);
  expect(restored.size).toBe(1);
});

test('subscribers hear deliveries, clear and restore', () => {
  const outbox = fixedOutbox();
  const heard: (string | undefined)[] = [];
  const unsubscribe = outbox.subscribe((email) => heard.push(email?.id));
  outbox.deliverTemplateEmail(resetEmail);
  outbox.clear();
  outbox.restore({ version: 1, emails: [] });
  unsubscribe();
  outbox.deliverTemplateEmail(resetEmail);
  expect(heard).toEqual(['m1', undefined, undefined]);
});
