import type { Secrets } from '../shared/auth0-actions';
import { isHttpUrl, readSecret, readUrl, RESET_RESULT_URL_KEY } from '../shared/settings';

/** password-reset-landing's secrets. */

export interface ResetLandingSettings {
  /** The application's `client_metadata.reset_result_url`, else RESET_RESULT_URL: where a person lands after setting a password. */
  resultUrl: string | undefined;
  problems: string[];
}

export function readResetLandingSettings(secrets: Secrets, clientMetadata?: Readonly<Record<string, unknown>>): ResetLandingSettings {
  const problems: string[] = [];
  const own = clientMetadata?.[RESET_RESULT_URL_KEY];
  const ownUrl = typeof own === 'string' ? readSecret({ url: own }, 'url') : undefined;
  if (ownUrl !== undefined && !isHttpUrl(ownUrl)) problems.push(`${RESET_RESULT_URL_KEY} invalid`);
  const resultUrl = ownUrl !== undefined && isHttpUrl(ownUrl) ? ownUrl : readUrl(secrets, 'RESET_RESULT_URL', problems);
  return { resultUrl, problems };
}
