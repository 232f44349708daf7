import type { ActionLog } from '../shared/action-log';
import type { ActionCache } from '../shared/auth0-actions';
import { getApplication, type ApplicationRecord, type ClientOptions } from '../shared/management-api';
import { applicationSetting, isLanguageTag, isTemplateId } from '../shared/settings';

export interface InvitedApplication {
  clientId: string;
  name?: string | undefined;
  /** Its `email_invite_template` and `email_locale`, when valid. */
  templateId?: string | undefined;
  locale?: string | undefined;
}

/**
 * The application an invitation is for, with its emails, from api.cache or `GET
 * /api/v2/clients/{id}` (its name and client_metadata: at most 10 values of 255 characters, within
 * api.cache's 4 kB a value; a refused cache write only means a read next time). When it cannot
 * be read (`app_unread` note), only its client id: the invitation goes out with the default
 * template, to the application's login route.
 */
export async function applicationForInvitation(
  cache: ActionCache,
  options: ClientOptions,
  clientId: string,
  log: ActionLog,
): Promise<InvitedApplication> {
  const key = `app:${clientId}`;
  let cached = cache.get(key)?.value;
  if (cached === undefined) {
    const read = await getApplication(options, clientId);
    // api.cache's default lifetime, 15 minutes: applications change rarely, and a bulk invitation reads each once per instance.
    if (read.ok) cache.set(key, (cached = JSON.stringify(read.value)));
    else log.note('app_unread', read.reason);
  }
  const record = JSON.parse(cached ?? '{}') as ApplicationRecord;
  const problems: string[] = [];
  const templateId = applicationSetting(record.client_metadata, 'email_invite_template', isTemplateId, problems);
  const locale = applicationSetting(record.client_metadata, 'email_locale', isLanguageTag, problems);
  for (const problem of problems) log.note('setting_ignored', problem);
  return { clientId, name: record.name, templateId, locale };
}
