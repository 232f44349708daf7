import { join } from 'node:path';
import { AdminConfigError, loadAdminConfig, requireSettings } from './admin-config';

describe('loadAdminConfig', () => {
  it("reads the local environment with the local tenant defaults (the scripts' own application, SendGrid stand-in, kept template)", () => {
    const config = loadAdminConfig({ environment: 'local', env: {} });
    expect(requireSettings(config, { management: config.management, mail: config.mail, reset: config.passwordReset })).toEqual({
      management: { domain: 'localhost:3443', clientId: 'local-admin-client', clientSecret: 'local-admin-secret' },
      mail: { apiKey: 'SG.local-sendgrid-key', from: 'Email Flows <no-reply@example.com>', baseUrl: 'https://localhost:3443/sendgrid' },
      reset: { templateId: 'd-local-password-reset', ttlSec: 86400, clientId: 'local-email-flows-app', appName: 'Email Flows' },
    });
    expect(config.invite.connections.get('shared-inbox')).toBe('ticket');
    // The CA `npm start` writes, relative to the repository as for the deploy.
    expect(config.caCertPath).toBe(join(__dirname, '..', 'dist', 'local-tenant', 'ca.pem'));
  });

  it("uses the scripts' own application when ADMIN_CLIENT_ID/SECRET are set, and the environment's variables", () => {
    const config = loadAdminConfig({
      environment: 'local',
      env: {
        AUTH0_DOMAIN: 'https://localhost:4443/',
        ADMIN_CLIENT_ID: 'admin-app',
        ADMIN_CLIENT_SECRET: 's3cret',
        SENDGRID_BASE_URL: 'http://127.0.0.1:9/sg',
      },
    });
    expect(config.management).toEqual({ ok: true, value: { domain: 'localhost:4443', clientId: 'admin-app', clientSecret: 's3cret' } });
    expect(config.mail.ok && config.mail.value.baseUrl).toBe('http://127.0.0.1:9/sg');
  });

  it('names every missing setting and where it comes from', () => {
    const config = loadAdminConfig({ environment: 'dev', env: { ADMIN_CLIENT_ID: 'only-half' } });
    let error: unknown;
    try {
      requireSettings(config, { management: config.management, mail: config.mail, ticket: config.invite.ticket });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdminConfigError);
    const { message, missing } = error as AdminConfigError;
    expect(missing).toEqual([
      'AUTH0_DOMAIN',
      'ADMIN_CLIENT_SECRET',
      'SENDGRID_API_KEY',
      'MAIL_FROM',
      'INVITE_TEMPLATE_ID',
      'INVITE_CLIENT_ID or INVITE_RESULT_URL',
    ]);
    expect(message).toContain('Missing configuration for environment "dev"');
    expect(message).toContain('AUTH0_DOMAIN (environment variable AUTH0_DOMAIN)');
    expect(message).toContain(
      'ADMIN_CLIENT_SECRET (environment variable ADMIN_CLIENT_SECRET (ADMIN_CLIENT_ID and ADMIN_CLIENT_SECRET go together))',
    );
    expect(message).toContain('INVITE_TEMPLATE_ID (environment variable SENDGRID_INVITE_TEMPLATE_ID)');
    expect(message).toContain(
      'INVITE_CLIENT_ID (environment variable INVITE_CLIENT_ID), or INVITE_RESULT_URL (environment variable INVITE_RESULT_URL)',
    );
  });

  it('replaces an invalid reset lifetime by its default and says so; a blank or placeholder value counts as missing', () => {
    const config = loadAdminConfig({
      environment: 'local',
      env: { PASSWORD_RESET_TTL_SEC: '99999999', SENDGRID_API_KEY: '##SENDGRID_API_KEY##' },
    });
    expect(config.passwordReset.ok && config.passwordReset.value.ttlSec).toBe(86400);
    expect(config.problems).toContain('PASSWORD_RESET_TTL_SEC invalid');
    // A placeholder in the variable is not a key; the environment file's default is not used either (the variable is set).
    expect(config.mail).toEqual({ ok: false, missing: ['SENDGRID_API_KEY'] });
  });

  it('names an unknown environment and the known ones, as a configuration error', () => {
    const load = () => loadAdminConfig({ environment: 'qa', env: {} });
    expect(load).toThrow(AdminConfigError);
    expect(load).toThrow(
      'Unknown environment "qa" (--env or ADMIN_ENV): there is no environments/qa.json. Known: dev, local, prod, staging.',
    );
    expect(() => loadAdminConfig({ environment: 'Q A', env: {} })).toThrow(AdminConfigError);
  });
});
