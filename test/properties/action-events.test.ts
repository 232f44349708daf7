/**
 * Bad input, property-based: events with missing and odd fields, flags of the wrong type, huge
 * metadata, unicode and very long addresses, secrets missing or malformed. Whatever the event,
 * no handler throws, none denies a login, and nothing is sent to an address that is not the
 * user's. Auth0 and SendGrid are intercepted at the HTTP layer and answer success.
 */
import fc from 'fast-check';
import { onExecuteCustomEmailProvider } from '../../actions/custom-email-provider';
import type { CustomEmailProviderEvent, PostLoginEvent, PostUserRegistrationEvent } from '../../actions/shared/auth0-actions';
import { onExecutePostUserRegistration } from '../../actions/invite-on-registration';
import { onExecutePostLogin } from '../../actions/verify-and-welcome';
import { captureConsole, fakeCustomEmailApi, fakePostLoginApi, fakeRegistrationApi } from '../support/action-fakes';
import { Interceptor, type RecordedRequest } from '../support/intercept';
import { customEmailEventValue, postLoginEventValue, registrationEventValue } from './arbitraries';

jest.setTimeout(60_000);

/** Enough runs to meet every generator branch many times, few enough for a few seconds per property. */
const RUNS = 200;

/** Where the requests would send email: SendGrid's recipients and the address of Auth0's change-password email. */
function recipients(requests: readonly RecordedRequest[]): string[] {
  return requests.flatMap((r) => {
    if (r.path === '/v3/mail/send') {
      const body = r.body as { personalizations?: { to?: { email: string }[]; cc?: { email: string }[]; bcc?: { email: string }[] }[] };
      return (body.personalizations ?? []).flatMap((p) => [...(p.to ?? []), ...(p.cc ?? []), ...(p.bcc ?? [])].map((a) => a.email));
    }
    if (r.path === '/dbconnections/change_password') return [String((r.body as { email?: unknown }).email)];
    return [];
  });
}

function userEmail(event: Record<string, unknown>): string | undefined {
  const user = event.user as { email?: unknown } | null | undefined;
  return typeof user === 'object' && user !== null && typeof user.email === 'string' ? user.email : undefined;
}

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The promises every handler keeps, checked after one run. */
function violations(event: Record<string, unknown>, http: Interceptor, lines: string[]): string[] {
  const problems: string[] = [];
  const email = userEmail(event);
  for (const to of recipients(http.requests)) {
    if (email === undefined || !sameAddress(to, email)) problems.push(`sent to ${JSON.stringify(to).slice(0, 80)}, not the user's address`);
  }
  const unmatched = http.requests.filter((r) => r.path.startsWith('UNMATCHED') && r.host.includes('sendgrid'));
  if (unmatched.length > 0) problems.push(`unexpected SendGrid request ${unmatched[0]?.path}`);
  for (const line of lines) {
    if (line.length > 256) problems.push(`log line of ${line.length} characters`);
    if (email !== undefined && email.trim().length >= 3 && line.toLowerCase().includes(email.trim().toLowerCase())) {
      problems.push('log line with the address');
    }
    if (/mgmt-token-1|ticket=|SG\.test-key|m2m-client-secret/.test(line))
      problems.push(`log line with a token or secret: ${line.slice(0, 80)}`);
  }
  return problems;
}

describe('verify-and-welcome (post-login) with generated events', () => {
  it('never throws, never denies, sends only to the user, logs no address, token or secret', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(postLoginEventValue, async (event) => {
        const http = new Interceptor().acceptAll();
        try {
          const api = fakePostLoginApi();
          const { lines } = await captureConsole(() => onExecutePostLogin(event as unknown as PostLoginEvent, api));
          const problems = violations(event, http, lines);
          if (api.denied.length > 0) problems.push(`denied: ${api.denied.join(', ')}`);
          // Flags are written as `true` only, and only with an accepted email of their kind.
          for (const [key, value] of api.appMetadataCalls) {
            if (key.endsWith('_email_sent') && value !== true) problems.push(`${key} set to ${JSON.stringify(value)}`);
          }
          const sends = http.of('POST', '/v3/mail/send').length;
          if (sends > 0) sent += 1;
          const flags = api.appMetadataCalls.filter(([key]) => key.endsWith('_email_sent')).length;
          if (flags > sends) problems.push(`${flags} flags for ${sends} emails`);
          if (sends > 1) problems.push(`${sends} emails in one login`);
          expect(problems).toEqual([]);
        } finally {
          http.done();
        }
      }),
      { numRuns: RUNS },
    );
    // The generators reach the sending paths, not only the early exits.
    expect(sent).toBeGreaterThan(RUNS / 10);
  });
});

describe('invite-on-registration (post-user-registration) with generated events', () => {
  it('never throws, sends only to the user, logs no address, token or secret', async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(registrationEventValue, async (event) => {
        const http = new Interceptor().acceptAll();
        try {
          const { lines } = await captureConsole(() =>
            onExecutePostUserRegistration(event as unknown as PostUserRegistrationEvent, fakeRegistrationApi()),
          );
          const problems = violations(event, http, lines);
          const invitations = recipients(http.requests).length;
          if (invitations > 0) sent += 1;
          if (invitations > 1) problems.push(`${invitations} invitations for one user`);
          expect(problems).toEqual([]);
        } finally {
          http.done();
        }
      }),
      { numRuns: RUNS },
    );
    expect(sent).toBeGreaterThan(RUNS / 10);
  });
});

describe('custom-email-provider with generated events', () => {
  /** The addresses an Auth0 email may go to: the one Auth0 chose, and the user's secondary address once verified (exactly `true`). */
  function allowedRecipients(event: Record<string, unknown>): string[] {
    const notification = event.notification as { to?: unknown } | null | undefined;
    const user = event.user as
      { app_metadata?: { secondary_email?: unknown; secondary_email_verified?: unknown } | null } | null | undefined;
    const allowed: string[] = [];
    if (typeof notification === 'object' && notification !== null && typeof notification.to === 'string') allowed.push(notification.to);
    const metadata = typeof user === 'object' && user !== null ? user.app_metadata : undefined;
    if (
      typeof metadata === 'object' &&
      metadata !== null &&
      metadata.secondary_email_verified === true &&
      typeof metadata.secondary_email === 'string'
    ) {
      allowed.push(metadata.secondary_email);
    }
    return allowed;
  }

  it('never throws, sends only to the address Auth0 chose or a verified secondary one, and ends each email once', async () => {
    let sent = 0;
    let toSecondary = 0;
    await fc.assert(
      fc.asyncProperty(customEmailEventValue, async (event) => {
        const http = new Interceptor().acceptAll();
        try {
          const api = fakeCustomEmailApi();
          const { lines } = await captureConsole(() => onExecuteCustomEmailProvider(event as unknown as CustomEmailProviderEvent, api));
          const problems: string[] = [];
          const allowed = allowedRecipients(event);
          for (const to of recipients(http.requests)) {
            if (!allowed.some((a) => sameAddress(a, to)))
              problems.push(`sent to ${JSON.stringify(to).slice(0, 80)}, not an address of the user`);
          }
          const sends = http.of('POST', '/v3/mail/send').length;
          if (sends > 0) sent += 1;
          if (allowed.length > 1 && recipients(http.requests).some((to) => sameAddress(to, allowed[1] ?? ''))) toSecondary += 1;
          if (sends > 1) problems.push(`${sends} sends for one email`);
          // Delivered (SendGrid accepted it) and nothing else, or not delivered and dropped or retried.
          if (sends === 1 && api.calls.length > 0) problems.push(`delivered, then ${api.calls[0]?.[0]}`);
          if (sends === 0 && api.calls.length !== 1) problems.push(`not delivered, ${api.calls.length} retry/drop calls`);
          for (const line of lines) {
            if (line.length > 256) problems.push(`log line of ${line.length} characters`);
            for (const address of [...allowed, userEmail(event) ?? '']) {
              // Only an address is one: a generated `to` of "Son" is in every log line that says "reason".
              if (address.includes('@') && line.toLowerCase().includes(address.trim().toLowerCase()))
                problems.push('log line with an address');
            }
            if (/SG\.test-key/.test(line)) problems.push('log line with the SendGrid key');
          }
          expect(problems).toEqual([]);
        } finally {
          http.done();
        }
      }),
      { numRuns: RUNS },
    );
    expect(sent).toBeGreaterThan(RUNS / 10);
    expect(toSecondary).toBeGreaterThan(0);
  });
});
