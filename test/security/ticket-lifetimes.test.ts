/**
 * Every link this project makes carries a bounded lifetime: each ticket request (invitations,
 * verification, the administrators' password resets) sends `ttl_sec`, a whole number of seconds
 * from 1 to 30 days, whatever the configured value; and Auth0's own links (its email templates'
 * `urlLifetimeInSeconds`) are bounded the same way. Auth0 is intercepted at the HTTP layer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { onExecutePostUserRegistration } from '../../actions/invite-on-registration';
import type { PostLoginEvent } from '../../actions/shared/auth0-actions';
import { DEFAULT_INVITE_TTL_SEC } from '../../actions/invite-on-registration/settings';
import { MAX_TICKET_TTL_SEC } from '../../actions/shared/settings';
import { DEFAULT_VERIFY_TTL_SEC } from '../../actions/verify-and-welcome/settings';
import { onExecutePostLogin } from '../../actions/verify-and-welcome';
import { loadAdminConfig } from '../../admin/admin-config';
import { sendInvitation } from '../../admin/invite-user';
import { connectManagement } from '../../admin/management';
import { sendPasswordReset } from '../../admin/secondary-email-reset';
import {
  fakePostLoginApi,
  fakePostLoginEvent,
  fakeRegistrationApi,
  fakeRegistrationEvent,
  fakeUser,
  fullSecrets,
  TENANT_DOMAIN,
} from '../support/action-fakes';
import { AUTH0_ORIGIN, Interceptor } from '../support/intercept';
import nock from 'nock';

const ROOT = join(__dirname, '..', '..');

/** Configured lifetimes: valid ones, and every kind of invalid one. */
const ttlSetting = fc.oneof(
  fc.integer({ min: 1, max: MAX_TICKET_TTL_SEC }).map(String),
  fc.constantFrom('', '0', '-1', '2592001', '1e9', '99999999999999999999', 'abc', '3.5', 'Infinity', ' 600 ', '##VERIFY_TTL_SEC##'),
);

function expectBounded(ttl: unknown, configured: string, fallback: number): void {
  expect(Number.isInteger(ttl)).toBe(true);
  expect(ttl as number).toBeGreaterThanOrEqual(1);
  expect(ttl as number).toBeLessThanOrEqual(MAX_TICKET_TTL_SEC);
  const value = Number(configured.trim());
  const valid = configured.trim() !== '' && Number.isInteger(value) && value >= 1 && value <= MAX_TICKET_TTL_SEC;
  expect(ttl).toBe(valid ? value : fallback);
}

let http: Interceptor;
beforeEach(() => (http = new Interceptor().acceptAll()));
afterEach(() => http.done());

function ticketBodies(): { ttl_sec?: unknown }[] {
  return http.requests.filter((r) => r.path.startsWith('/api/v2/tickets/')).map((r) => r.body as { ttl_sec?: unknown });
}

describe('the Actions', () => {
  it('send a bounded ttl_sec in every invitation ticket, whatever INVITE_TTL_SEC holds', async () => {
    await fc.assert(
      fc.asyncProperty(ttlSetting, async (configured) => {
        http.requests.length = 0;
        const event = fakeRegistrationEvent({
          connection: { id: 'con_2', name: 'shared-inbox', strategy: 'auth0' },
          secrets: fullSecrets({ INVITE_TTL_SEC: configured }),
        });
        await onExecutePostUserRegistration(event, fakeRegistrationApi());
        const bodies = ticketBodies();
        expect(bodies).toHaveLength(1);
        expectBounded(bodies[0]?.ttl_sec, configured, DEFAULT_INVITE_TTL_SEC);
      }),
      { numRuns: 60 },
    );
  });

  it('send a bounded ttl_sec in every verification ticket, whatever VERIFY_TTL_SEC holds', async () => {
    await fc.assert(
      fc.asyncProperty(ttlSetting, async (configured) => {
        http.requests.length = 0;
        const event: PostLoginEvent = fakePostLoginEvent({ secrets: fullSecrets({ VERIFY_TTL_SEC: configured }) });
        await onExecutePostLogin(event, fakePostLoginApi());
        const bodies = ticketBodies();
        expect(bodies).toHaveLength(1);
        expectBounded(bodies[0]?.ttl_sec, configured, DEFAULT_VERIFY_TTL_SEC);
      }),
      { numRuns: 60 },
    );
  });

  it('create tickets only through the shared module that always sets ttl_sec', () => {
    const sources = ['actions', 'admin', 'scripts', 'deploy'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
    const direct = sources.filter(
      (file) =>
        !file.endsWith(join('shared', 'management-api.ts')) &&
        // The list of each application's calls and scopes: it names the endpoint, it calls nothing.
        !file.endsWith(join('deploy', 'application-scopes.ts')) &&
        /tickets\.(changePassword|verifyEmail)\(|['"`]\/tickets\//.test(readFileSync(file, 'utf8')),
    );
    expect(direct.map((f) => f.slice(ROOT.length + 1))).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name.endsWith('.test.ts')) return [];
    if (name.endsWith('.ts')) return [path];
    return name.includes('.') ? [] : sourceFiles(path);
  });
}

describe('the administrator scripts', () => {
  let dir: string;
  beforeAll(() => {
    // An environment whose lifetimes come from the process environment, like the real ones' secrets.
    dir = mkdtempSync(join(tmpdir(), 'ttl-env-'));
    const local = JSON.parse(readFileSync(join(ROOT, 'environments', 'local.json'), 'utf8')) as { keywords: Record<string, unknown> };
    local.keywords.INVITE_TTL_SEC = { env: 'TEST_INVITE_TTL_SEC', default: '' };
    local.keywords.VERIFY_TTL_SEC = { env: 'TEST_VERIFY_TTL_SEC', default: '' };
    writeFileSync(join(dir, 'ttltest.json'), JSON.stringify({ ...local, domain: TENANT_DOMAIN }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function config(invite: string, reset: string) {
    return loadAdminConfig({
      environment: 'ttltest',
      environmentsDir: dir,
      env: {
        AUTH0_DOMAIN: TENANT_DOMAIN,
        TEST_INVITE_TTL_SEC: invite,
        PASSWORD_RESET_TTL_SEC: reset,
        PASSWORD_RESET_TEMPLATE_ID: 'd-reset',
        SENDGRID_BASE_URL: 'https://api.sendgrid.com',
      },
    });
  }

  it('send a bounded ttl_sec in every invitation and password-reset ticket, whatever the settings hold', async () => {
    await fc.assert(
      fc.asyncProperty(ttlSetting, ttlSetting, async (inviteTtl, resetTtl) => {
        http.requests.length = 0;
        const settings = config(inviteTtl, resetTtl);
        if (!settings.management.ok || !settings.mail.ok || !settings.passwordReset.ok || !settings.invite.ticket.ok) {
          throw new Error(`incomplete test configuration: ${JSON.stringify(settings.problems)}`);
        }
        const management = connectManagement({ credentials: settings.management.value });
        const ada = { ...fakeUser({ username: 'ada' }), app_metadata: { secondary_email: 'ada.backup@example.org' } };
        // Found by username through search, then read again by id (search lags writes).
        nock(AUTH0_ORIGIN)
          .get('/api/v2/users')
          .query(true)
          .reply(200, { users: [ada], total: 1 });
        nock(AUTH0_ORIGIN)
          .get(`/api/v2/users/${encodeURIComponent(ada.user_id)}`)
          .query(true)
          .reply(200, ada);
        await sendPasswordReset(management, { reset: settings.passwordReset.value, mail: settings.mail.value }, { username: 'ada' });
        const { templateId: _templateId, ...ticket } = settings.invite.ticket.value;
        const sent = await sendInvitation(
          { management, direct: { ticket: { ...ticket, templateId: 'd-invite' }, mail: settings.mail.value, templates: {} } },
          { userId: 'auth0|user-1', email: 'ada@example.com' },
        );
        expect(sent.ok).toBe(true);
        const bodies = ticketBodies();
        expect(bodies).toHaveLength(2);
        expectBounded(bodies[0]?.ttl_sec, resetTtl, 86_400);
        expectBounded(bodies[1]?.ttl_sec, inviteTtl, DEFAULT_INVITE_TTL_SEC);
      }),
      { numRuns: 25 },
    );
  });
});

describe("Auth0's own links", () => {
  it('every email template of the tenant with a link bounds urlLifetimeInSeconds', () => {
    const dir = join(ROOT, 'tenant', 'emails');
    const withLinks = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && f !== 'provider.json')
      .map((f) => ({
        file: f,
        config: JSON.parse(readFileSync(join(dir, f), 'utf8')) as { body?: string; urlLifetimeInSeconds?: unknown },
      }))
      .filter(({ config }) => typeof config.body === 'string' && /\{\{\s*url\s*\}\}/.test(readFileSync(join(dir, config.body), 'utf8')));
    expect(withLinks.map((t) => t.file)).toEqual(expect.arrayContaining(['reset_email.json', 'verify_email.json']));
    for (const { file, config } of withLinks) {
      const { urlLifetimeInSeconds } = config;
      expect({ file, urlLifetimeInSeconds }).toEqual({ file, urlLifetimeInSeconds: expect.any(Number) });
      expect(urlLifetimeInSeconds as number).toBeGreaterThan(0);
      expect(urlLifetimeInSeconds as number).toBeLessThanOrEqual(MAX_TICKET_TTL_SEC);
    }
  });
});
