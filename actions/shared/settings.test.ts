import { parseEmailRoutes, readCustomEmailSettings } from '../custom-email-provider/settings';
import { DEFAULT_INVITE_TTL_SEC, parseInviteConnections, readInviteSettings } from '../invite-on-registration/settings';
import { readVerifyWelcomeSettings } from '../verify-and-welcome/settings';
import { normalizeDomain, readSecret, readTemplateOverrides } from './settings';
import { fullSecrets } from '../../test/support/action-fakes';

describe('readSecret', () => {
  it('treats blank values and unfilled deploy-cli placeholders as missing', () => {
    expect(readSecret({ A: '' }, 'A')).toBeUndefined();
    expect(readSecret({ A: '   ' }, 'A')).toBeUndefined();
    expect(readSecret({ A: '##A##' }, 'A')).toBeUndefined();
    expect(readSecret({ A: '@@A@@' }, 'A')).toBeUndefined();
    expect(readSecret({}, 'A')).toBeUndefined();
    expect(readSecret({ A: ' value ' }, 'A')).toBe('value');
  });
});

describe('normalizeDomain', () => {
  it('accepts a host with or without scheme, trailing slash and port', () => {
    expect(normalizeDomain('tenant.eu.auth0.com')).toBe('tenant.eu.auth0.com');
    expect(normalizeDomain('https://tenant.eu.auth0.com/')).toBe('tenant.eu.auth0.com');
    expect(normalizeDomain('localhost:3443')).toBe('localhost:3443');
    expect(normalizeDomain('tenant.auth0.com/api/v2')).toBeUndefined();
  });
});

describe('INVITE_CONNECTIONS', () => {
  it('reads names with an optional per-connection mode', () => {
    const problems: string[] = [];
    const parsed = parseInviteConnections(' members , shared-inbox:ticket,,legacy:change_password', problems);
    expect([...parsed]).toEqual([
      ['members', undefined],
      ['shared-inbox', 'ticket'],
      ['legacy', 'change_password'],
    ]);
    expect(problems).toEqual([]);
  });

  it('reports an unknown mode and keeps the connection with the default mode', () => {
    const problems: string[] = [];
    expect([...parseInviteConnections('members:email', problems)]).toEqual([['members', undefined]]);
    expect(problems).toEqual(['INVITE_CONNECTIONS invalid']);
  });
});

describe('readInviteSettings', () => {
  it('defaults to change_password and a 7-day ticket', () => {
    const settings = readInviteSettings(fullSecrets({ INVITE_MODE: undefined, INVITE_TTL_SEC: undefined }));
    expect(settings.defaultMode).toBe('change_password');
    expect(settings.ticket).toMatchObject({ ok: true, value: { ttlSec: DEFAULT_INVITE_TTL_SEC } });
  });

  it('uses client_id for the ticket when both INVITE_CLIENT_ID and INVITE_RESULT_URL are set (Auth0 rejects both)', () => {
    const settings = readInviteSettings(fullSecrets());
    expect(settings.ticket).toMatchObject({ ok: true, value: { clientId: 'app-client-id' } });
    expect(settings.ticket.ok && settings.ticket.value).not.toHaveProperty('resultUrl');
  });

  it('names every missing secret of each path', () => {
    const settings = readInviteSettings(
      fullSecrets({ INVITE_TEMPLATE_ID: '', INVITE_CLIENT_ID: '', INVITE_RESULT_URL: '', AUTH0_CLIENT_SECRET: '##AUTH0_CLIENT_SECRET##' }),
    );
    expect(settings.ticket).toEqual({ ok: false, missing: ['INVITE_TEMPLATE_ID', 'INVITE_CLIENT_ID or INVITE_RESULT_URL'] });
    expect(settings.management).toEqual({ ok: false, missing: ['AUTH0_CLIENT_SECRET'] });
    expect(settings.changePassword).toEqual({ ok: false, missing: ['INVITE_CLIENT_ID'] });
  });

  it('replaces invalid values by defaults and reports them', () => {
    const settings = readInviteSettings(fullSecrets({ INVITE_TTL_SEC: '-5', INVITE_MODE: 'email', INVITE_RESULT_URL: 'not a url' }));
    expect(settings.defaultMode).toBe('change_password');
    expect(settings.problems).toEqual(
      expect.arrayContaining(['INVITE_TTL_SEC invalid', 'INVITE_MODE invalid', 'INVITE_RESULT_URL invalid']),
    );
  });

  it('refuses ticket lifetimes above 30 days', () => {
    const settings = readInviteSettings(fullSecrets({ INVITE_TTL_SEC: String(31 * 86400) }));
    expect(settings.ticket).toMatchObject({ ok: true, value: { ttlSec: DEFAULT_INVITE_TTL_SEC } });
    expect(settings.problems).toContain('INVITE_TTL_SEC invalid');
  });
});

describe('TEMPLATE_IDS', () => {
  it('reads per-locale template ids', () => {
    const problems: string[] = [];
    expect(readTemplateOverrides({ TEMPLATE_IDS: '{"welcome":{"FR":"d-fr"},"verify":{"de":"d-de"}}' }, problems)).toEqual({
      welcome: { fr: 'd-fr' },
      verify: { de: 'd-de' },
    });
    expect(problems).toEqual([]);
  });

  it.each(['not json', '[]', '{"welcome":"d-1"}', '{"welcome":{"fr":5}}'])('reports %s as invalid without throwing', (raw) => {
    const problems: string[] = [];
    readTemplateOverrides({ TEMPLATE_IDS: raw }, problems);
    expect(problems).toContain('TEMPLATE_IDS invalid');
  });
});

describe('readVerifyWelcomeSettings', () => {
  it('reads WELCOME_SINCE as an instant and reports a bad one', () => {
    expect(readVerifyWelcomeSettings(fullSecrets({ WELCOME_SINCE: '2026-01-01T00:00:00Z' })).welcomeSince?.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    const bad = readVerifyWelcomeSettings(fullSecrets({ WELCOME_SINCE: 'yesterday' }));
    expect(bad.welcomeSince).toBeUndefined();
    expect(bad.problems).toContain('WELCOME_SINCE invalid');
  });
});

describe('EMAIL_ROUTES (custom-email-provider)', () => {
  it('reads typed routes per message type and `*`', () => {
    const problems: string[] = [];
    const routes = parseEmailRoutes(
      JSON.stringify({
        reset_email: { recipient: 'secondary-if-verified', categories: [' password-reset '], sandbox: false },
        '*': { sandbox: true },
      }),
      problems,
    );
    expect(routes).toEqual({
      reset_email: { recipient: 'secondary-if-verified', categories: ['password-reset'], sandbox: false },
      '*': { sandbox: true },
    });
    expect(problems).toEqual([]);
  });

  it('reports and leaves out anything invalid, so that the defaults apply', () => {
    const problems: string[] = [];
    const json = JSON.stringify({
      reset_mail: { recipient: 'secondary-if-verified' },
      reset_email: { recipient: 'secondary', categories: 'x', sandbox: 'yes', recipent: 'primary' },
      welcome_email: [],
      verify_email: { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) },
    });
    // JSON.parse makes "__proto__" an own key: it must not become the routes' prototype.
    const routes = parseEmailRoutes(`${json.slice(0, -1)},"__proto__":{"recipient":"secondary-if-verified"}}`, problems);
    expect(routes).toEqual({ reset_email: {}, verify_email: {} });
    expect(Object.getPrototypeOf(routes)).toBe(Object.prototype);
    expect(problems).toEqual([
      'EMAIL_ROUTES.reset_mail unknown_message_type',
      'EMAIL_ROUTES.reset_email.recipient invalid',
      'EMAIL_ROUTES.reset_email.categories invalid',
      'EMAIL_ROUTES.reset_email.sandbox invalid',
      'EMAIL_ROUTES.reset_email unknown_field=recipent',
      'EMAIL_ROUTES.welcome_email invalid',
      'EMAIL_ROUTES.verify_email.categories invalid',
      'EMAIL_ROUTES.__proto__ unknown_message_type',
    ]);
    expect(parseEmailRoutes('{not json', problems)).toEqual({});
    expect(parseEmailRoutes('[]', problems)).toEqual({});
    expect(problems.slice(-2)).toEqual(['EMAIL_ROUTES invalid', 'EMAIL_ROUTES invalid']);
  });

  it('needs SENDGRID_API_KEY; MAIL_FROM and EMAIL_ROUTES are optional; placeholders count as missing', () => {
    expect(readCustomEmailSettings(fullSecrets())).toEqual({
      sendgrid: { ok: true, value: { apiKey: 'SG.test-key' } },
      fallbackFrom: 'Example <no-reply@example.com>',
      routes: {},
      problems: [],
    });
    const bare = readCustomEmailSettings({ SENDGRID_API_KEY: '##SENDGRID_API_KEY##', EMAIL_ROUTES: '@@EMAIL_ROUTES@@' });
    expect(bare).toEqual({ sendgrid: { ok: false, missing: ['SENDGRID_API_KEY'] }, fallbackFrom: undefined, routes: {}, problems: [] });
  });
});
