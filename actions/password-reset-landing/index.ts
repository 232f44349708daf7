import { actionLog } from '../shared/action-log';
import type { PasswordResetPostChallengeHandler } from '../shared/auth0-actions';
import { readResetLandingSettings } from './settings';
import { actionName } from './manifest';
import { planLanding } from './plan';

/**
 * password-reset-post-challenge: sends the person to the application once the password is set.
 * Universal Login ignores the reset_email template's Redirect To, and non-enterprise tenants
 * created on or after 2026-05-05 may not set one at all; Auth0 points to
 * `api.transaction.setResultUrl` instead (docs-v2 customize-email-templates.mdx). Never denies a
 * reset and never throws: without the setting, Auth0's default login route applies.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- Auth0's handler shape is async (its runtime awaits it); nothing here waits.
export const onExecutePostChallenge: PasswordResetPostChallengeHandler = async (event, api) => {
  const log = actionLog(actionName, event.user?.user_id);
  try {
    // Each application may name its own landing page (client_metadata.reset_result_url).
    const settings = readResetLandingSettings(event.secrets ?? {}, event.client?.metadata);
    for (const problem of settings.problems) log('setting_ignored', problem);
    const plan = planLanding(event, settings);
    if (!plan.set) return log('landing_default', plan.reason);
    api.transaction.setResultUrl(plan.url, { query: plan.query });
    log('landing_set', plan.invited ? 'invite' : 'reset');
  } catch {
    log('landing_default', 'unexpected_error');
  }
};
