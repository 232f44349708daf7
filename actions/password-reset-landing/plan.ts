import type { PasswordResetPostChallengeEvent } from '../shared/auth0-actions';
import type { ResetLandingSettings } from './settings';

type LandingPlan = { set: true; url: string; query: Record<string, string>; invited: boolean } | { set: false; reason: 'no_result_url' };

/**
 * Where a person lands after setting a password: RESET_RESULT_URL, the application. An invited
 * user (`app_metadata.invite === true`, set until the first verified login) arrives with
 * `type=invite`, as the invitation link says, so that the application can greet a new member.
 * Without RESET_RESULT_URL, Auth0's own choice stands: the application's login route.
 */
export function planLanding(event: Pick<PasswordResetPostChallengeEvent, 'user'>, settings: ResetLandingSettings): LandingPlan {
  if (settings.resultUrl === undefined) return { set: false, reason: 'no_result_url' };
  const invited = event.user?.app_metadata?.invite === true;
  return { set: true, url: settings.resultUrl, query: invited ? { type: 'invite' } : {}, invited };
}
