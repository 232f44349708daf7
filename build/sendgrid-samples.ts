import { EMAIL_LANGUAGES, HOSTILE_MARKUP, type EmailLanguage } from './email-samples';

/**
 * Sample dynamic template data for the kept SendGrid templates (sendgrid-templates/), as the
 * Actions and the admin script send it (see sendgrid-templates/README.md), for every branch the
 * templates take and every language they speak. The Auth0 templates' samples are in
 * email-samples.ts; the email previews render both.
 */

type SampleValue = string | boolean;

interface SendgridEmailSample {
  /** Unique and file-name safe: `invite.username.fr`. */
  id: string;
  /** The template's name in sendgrid-templates/templates.json (`invite`, `verify`, ...). */
  template: string;
  /** `username`, `email-only`, or a branch of that template (`to-secondary`). */
  branch: string;
  language: EmailLanguage;
  /** True when the username carries HOSTILE_MARKUP: the HTML must escape it. */
  hostile: boolean;
  description: string;
  /** The application the email is for (its name, `app_name` in the data). */
  application: string;
  data: Record<string, SampleValue>;
}

/** The applications of tenant/clients: the default one, and the second with its own templates (docs/per-application-emails.md). */
export const DEFAULT_APPLICATION = 'Email Flows App';
export const PARTNER_APPLICATION = 'Partner Portal';

const TICKET_URL = 'https://email-flows-sample.eu.auth0.com/lo/reset?ticket=SAMPLEticket0123456789#type=invite&app=Email%20Flows';
const VERIFY_URL = 'https://email-flows-sample.eu.auth0.com/u/email-verification?ticket=SAMPLEticket0123456789#';

interface TemplateData {
  /** The data the template reads, beyond `username`, `email`, `locale` and `app_name`. */
  data: Record<string, SampleValue>;
  /** Branches of this template only, each a sample with a username plus this data. */
  branches?: { branch: string; description: string; data: Record<string, SampleValue> }[];
  /** The one application whose client_metadata names this template, when it is not the default one. */
  application?: string;
}

const TEMPLATE_DATA: Readonly<Record<string, TemplateData>> = {
  invite: {
    data: { ticket_url: TICKET_URL, expires_at: '2026-11-27T10:30:00.000Z', invited_by: '' },
    branches: [
      {
        branch: 'invited-by',
        description: 'names who invited (npm run invite -- --invited-by)',
        data: { ticket_url: TICKET_URL, expires_at: '2026-11-27T10:30:00.000Z', invited_by: 'Grace Hopper' },
      },
    ],
  },
  verify: { data: { verify_url: VERIFY_URL } },
  welcome: { data: {} },
  'partner-verify': { data: { verify_url: VERIFY_URL }, application: PARTNER_APPLICATION },
  'partner-welcome': { data: {}, application: PARTNER_APPLICATION },
  'password-reset': {
    data: { ticket_url: TICKET_URL.replace('type=invite', 'type=reset'), expires_at: '2026-11-21T10:30:00.000Z', to_secondary: false },
    branches: [{ branch: 'to-secondary', description: 'sent to a secondary address', data: { to_secondary: true } }],
  },
};

/** Every sample of one kept template: branches × languages, plus one hostile sample per language. */
export function sendgridEmailSamples(template: string): SendgridEmailSample[] {
  const known = TEMPLATE_DATA[template];
  if (known === undefined) {
    throw new Error(
      `No sample data for the SendGrid template "${template}": add the data it reads to TEMPLATE_DATA in build/sendgrid-samples.ts ` +
        `(known: ${Object.keys(TEMPLATE_DATA).join(', ')}).`,
    );
  }
  const samples: SendgridEmailSample[] = [];
  for (const language of EMAIL_LANGUAGES) {
    const cases = [
      { branch: 'username', description: 'account with a username (shared inbox)', username: 'desk-paris', data: {} },
      { branch: 'email-only', description: 'account known by its email', username: undefined, data: {} },
      ...(known.branches ?? []).map((b) => ({ ...b, username: 'desk-paris' })),
      { branch: 'hostile', description: 'a username carrying HTML markup', username: `desk${HOSTILE_MARKUP}`, data: {} },
    ];
    for (const sample of cases) {
      const data: Record<string, SampleValue> = {
        ...known.data,
        ...sample.data,
        email: sample.username === undefined ? 'ada@example.com' : 'front-desk@example.com',
        app_name: known.application ?? 'Email Flows',
        // A regional tag, as users' locales often are; the templates branch on `language`.
        locale: language === 'fr' ? 'fr-CA' : 'en-GB',
        language,
      };
      if (sample.username !== undefined) data.username = sample.username;
      const hostile = sample.branch === 'hostile';
      samples.push({
        id: `${template}.${sample.branch}.${language}`,
        template,
        branch: hostile ? 'username' : sample.branch,
        language,
        hostile,
        application: known.application ?? DEFAULT_APPLICATION,
        description: `${template}: ${sample.description}, ${language === 'fr' ? 'French' : 'English'}`,
        data,
      });
    }
  }
  return samples;
}
