import type { ActionLog } from '../shared/action-log';
import type { ActionCache } from '../shared/auth0-actions';
import { getApplication, type ApplicationRecord, type ClientOptions } from '../shared/management-api';
import { readApplicationEmails, type ApplicationEmails } from '../shared/settings';

/** Applications change rarely; a bulk invitation reads each one about once per instance. */
const APPLICATION_CACHE_TTL_MS = 10 * 60_000;

export interface InvitedApplication {
  clientId: string;
  name?: string | undefined;
  emails: ApplicationEmails;
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
    if (read.ok) cache.set(key, (cached = JSON.stringify(read.value)), { ttl: APPLICATION_CACHE_TTL_MS });
    else log.note('app_unread', read.reason);
  }
  const record = cached === undefined ? undefined : (JSON.parse(cached) as ApplicationRecord);
  const problems: string[] = [];
  const emails = readApplicationEmails(record?.metadata, problems);
  for (const problem of problems) log.note('setting_ignored', problem);
  return { clientId, emails, name: record?.name };
}
