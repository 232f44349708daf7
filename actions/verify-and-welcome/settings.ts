import type { Secrets } from '../shared/auth0-actions';
import {
  type ApplicationEmails,
  collect,
  readMail,
  readApplicationEmails,
  readManagement,
  readSecret,
  readTemplateOverrides,
  readTtl,
  readUrl,
  type ManagementCredentials,
  type MailSettings,
  type Needed,
  type TemplateOverrides,
} from '../shared/settings';

/** verify-and-welcome's secrets (the shared ones through ../shared/settings). */

export const DEFAULT_VERIFY_TTL_SEC = 432_000; // 5 days, Auth0's own default for verification links

export interface VerifyWelcomeSettings {
  management: Needed<ManagementCredentials>;
  verify: Needed<{ templateId: string; ttlSec: number; resultUrl: string | undefined }>;
  welcome: Needed<{ templateId: string }>;
  mail: Needed<MailSettings>;
  templates: TemplateOverrides;
  /** The emails of the application the user logs in to (its client_metadata), each falling back to the secrets. */
  application: ApplicationEmails;
  /** Users created before this instant get no welcome email (existing users, when the Action is first deployed). */
  welcomeSince: Date | undefined;
  problems: string[];
}

/** The secrets, and the client_metadata of the login's application (`event.client.metadata`), read only on the sending path. */
export function readVerifyWelcomeSettings(secrets: Secrets, clientMetadata?: Readonly<Record<string, unknown>>): VerifyWelcomeSettings {
  const problems: string[] = [];
  const verifyTemplateId = readSecret(secrets, 'VERIFY_TEMPLATE_ID');
  const welcomeTemplateId = readSecret(secrets, 'WELCOME_TEMPLATE_ID');
  const resultUrl = readUrl(secrets, 'VERIFY_RESULT_URL', problems);
  const ttlSec = readTtl(secrets, 'VERIFY_TTL_SEC', DEFAULT_VERIFY_TTL_SEC, problems);
  const rawSince = readSecret(secrets, 'WELCOME_SINCE');
  let welcomeSince: Date | undefined;
  if (rawSince !== undefined) {
    const since = new Date(rawSince);
    if (Number.isNaN(since.getTime())) problems.push('WELCOME_SINCE invalid');
    else welcomeSince = since;
  }
  return {
    management: readManagement(secrets, problems),
    verify: collect({ VERIFY_TEMPLATE_ID: verifyTemplateId }, (v) => ({ templateId: v.VERIFY_TEMPLATE_ID!, ttlSec, resultUrl })),
    welcome: collect({ WELCOME_TEMPLATE_ID: welcomeTemplateId }, (v) => ({ templateId: v.WELCOME_TEMPLATE_ID! })),
    mail: readMail(secrets),
    templates: readTemplateOverrides(secrets, problems),
    application: readApplicationEmails(clientMetadata, problems),
    welcomeSince,
    problems,
  };
}
