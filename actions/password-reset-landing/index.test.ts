import type { PasswordResetPostChallengeApi, PasswordResetPostChallengeEvent } from '../shared/auth0-actions';
import { ActionCacheStore } from '../../local-tenant/actions-runtime/action-cache';
import { captureConsole, fakeUser } from '../../test/support/action-fakes';
import { onExecutePostChallenge } from './index';

function event(secrets: Record<string, string>, appMetadata: Record<string, unknown> = {}): PasswordResetPostChallengeEvent {
  return {
    user: fakeUser({ app_metadata: appMetadata }),
    client: { client_id: 'app-client-id', name: 'Example App', metadata: {} },
    connection: { id: 'con_1', name: 'members', strategy: 'auth0' },
    request: { ip: '203.0.113.7', method: 'GET', geoip: {} },
    tenant: { id: 'example' },
    secrets,
    transaction: { locale: 'en', ui_locales: [] },
  };
}

function recordingApi() {
  const calls: { setResultUrl: [string, unknown][]; deny: string[] } = { setResultUrl: [], deny: [] };
  const api: PasswordResetPostChallengeApi = {
    access: { deny: (reason) => void calls.deny.push(reason) },
    cache: new ActionCacheStore(),
    transaction: { setResultUrl: (url, options) => void calls.setResultUrl.push([url, options]) },
  };
  return { api, calls };
}

describe('password-reset-landing', () => {
  it('sets the result URL of an invited user, with type=invite, and logs no address', async () => {
    const { api, calls } = recordingApi();
    const { lines } = await captureConsole(() =>
      onExecutePostChallenge(event({ RESET_RESULT_URL: 'https://app.example.com/login' }, { invite: true }), api),
    );
    expect(calls.setResultUrl).toEqual([['https://app.example.com/login', { query: { type: 'invite' } }]]);
    expect(calls.deny).toEqual([]);
    expect(lines).toEqual(['password-reset-landing user=auth0|user-1 landing_set invite']);
  });

  it('never denies a reset: an unset, placeholder or invalid RESET_RESULT_URL leaves the default landing', async () => {
    for (const value of ['', '##RESET_RESULT_URL##', 'javascript:alert(1)']) {
      const { api, calls } = recordingApi();
      const { lines } = await captureConsole(() => onExecutePostChallenge(event({ RESET_RESULT_URL: value }), api));
      expect(calls).toEqual({ setResultUrl: [], deny: [] });
      expect(lines.at(-1)).toBe('password-reset-landing user=auth0|user-1 landing_default no_result_url');
    }
  });

  it("sends the application's users to its own reset_result_url; an invalid one is named, and RESET_RESULT_URL used", async () => {
    const partner = event({ RESET_RESULT_URL: 'https://app.example.com/login' }, { invite: true });
    partner.client = { client_id: 'partner', name: 'Partner Portal', metadata: { reset_result_url: 'https://partners.example.com/login' } };
    const { api, calls } = recordingApi();
    await captureConsole(() => onExecutePostChallenge(partner, api));
    expect(calls.setResultUrl).toEqual([['https://partners.example.com/login', { query: { type: 'invite' } }]]);

    partner.client.metadata = { reset_result_url: 'ftp://partners.example.com/' };
    const second = recordingApi();
    const { lines } = await captureConsole(() => onExecutePostChallenge(partner, second.api));
    expect(second.calls.setResultUrl).toEqual([['https://app.example.com/login', { query: { type: 'invite' } }]]);
    expect(lines[0]).toBe('password-reset-landing user=auth0|user-1 setting_ignored reset_result_url invalid');
  });

  it('does not throw when the api fails', async () => {
    const { api } = recordingApi();
    api.transaction.setResultUrl = () => {
      throw new Error('boom ada@example.com');
    };
    const { lines } = await captureConsole(() => onExecutePostChallenge(event({ RESET_RESULT_URL: 'https://app.example.com/' }), api));
    expect(lines).toEqual(['password-reset-landing user=auth0|user-1 landing_default unexpected_error']);
  });
});
