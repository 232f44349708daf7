import type { Secrets } from '../shared/auth0-actions';
import { readUrl } from '../shared/settings';

/** password-reset-landing's secrets. */

export interface ResetLandingSettings {
  /** RESET_RESULT_URL: where a person lands after setting a password (the application). */
  resultUrl: string | undefined;
  problems: string[];
}

export function readResetLandingSettings(secrets: Secrets): ResetLandingSettings {
  const problems: string[] = [];
  return { resultUrl: readUrl(secrets, 'RESET_RESULT_URL', problems), problems };
}
