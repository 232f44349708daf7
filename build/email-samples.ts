/**
 * Sample data for the Auth0 email templates of `tenant/emails/`: the Liquid variables Auth0 gives
 * a template, for every branch the templates take, every language they speak and both kinds of
 * database connection. The deploy renders each template with each sample before touching a
 * tenant (deploy/template-validation.ts); the email previews render the same samples.
 *
 * Variables follow Auth0's "Supported Liquid Syntax for Email Templates" page: `url`, `user`
 * (email, email_verified, username, name, nickname, given_name, family_name, picture,
 * app_metadata, user_metadata), `application` (name, clientID, client_metadata, metadata),
 * `connection.name`, `request_language`, `tenant`, `friendly_name`, `support_email`,
 * `support_url`. A field Auth0 may leave out (a user without a username, without a name, a
 * request without a language) is left out of some samples, so that a template that needs it
 * without a `default` fails validation. `request_language` is always there, empty when unknown.
 */

import type { UserProfile } from '../actions/shared/auth0-actions';

/** The languages every Auth0 template must speak (tenant.json `enabled_locales`). */
export const EMAIL_LANGUAGES = ['en', 'fr'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

/** Where a template finds the language: the user's choice first, then the request's, else English. */
export type LanguageSource = 'user_metadata.locale' | 'request_language' | 'fallback';

/** The two database connections of tenant/: email as identifier, and non-unique emails with usernames. */
export type SampleConnection = 'members' | 'shared-inbox';
const SAMPLE_CONNECTIONS: readonly SampleConnection[] = ['members', 'shared-inbox'];

/** The `user` an Auth0 email template sees: the profile every trigger carries, always with an email. */
export interface Auth0TemplateUser extends UserProfile {
  email: string;
}

/** The Liquid variables of an Auth0 email template. */
export interface Auth0TemplateVariables {
  url: string;
  user: Auth0TemplateUser;
  application: { name: string; clientID: string; client_metadata: Record<string, string>; metadata: Record<string, string> };
  connection: { name: string };
  /** The request's language (an Accept-Language value); empty when unknown. */
  request_language: string;
  tenant: string;
  friendly_name: string;
  support_email: string;
  support_url: string;
}

export interface Auth0EmailSample {
  /** Unique and file-name safe: `reset_email.invitation.shared-inbox.fr-request-language`. */
  id: string;
  /** The Auth0 template name (`reset_email`, `verify_email`, `welcome_email`, ...). */
  template: string;
  /** Which wording the template should pick: `invitation`, `password-reset`, `verification`, `welcome`. */
  branch: string;
  connection: SampleConnection;
  /** The language the rendered email must be in. */
  language: EmailLanguage;
  languageSource: LanguageSource;
  /** True when the user-controlled fields (name, nickname, username, user_metadata) carry HOSTILE_MARKUP: the output must escape it. */
  hostile: boolean;
  /** The application the email is for (`application.name`); the templates word some emails per application. */
  application: string;
  /** One line for an index page. */
  description: string;
  variables: Auth0TemplateVariables;
}

/** Markup put in user-controlled fields by the hostile samples; a rendered email must never contain it raw. */
export const HOSTILE_MARKUP = '<img src=x onerror=alert(1)>';

interface TemplateBranch {
  branch: string;
  description: string;
  appMetadata: Record<string, unknown>;
}

/**
 * The branches of each template this project ships. `reset_email` is one template for two
 * emails: an invitation while `user.app_metadata.invite` is true, a password reset otherwise
 * (the documented invitation pattern). A template not listed here gets one `default` branch.
 */
export const TEMPLATE_BRANCHES: Readonly<Record<string, readonly TemplateBranch[]>> = {
  reset_email: [
    { branch: 'invitation', description: 'invitation (app_metadata.invite is true)', appMetadata: { invite: true } },
    { branch: 'password-reset', description: 'password reset (no invite flag)', appMetadata: {} },
  ],
  verify_email: [{ branch: 'verification', description: 'email verification', appMetadata: {} }],
  welcome_email: [{ branch: 'welcome', description: 'welcome after verification', appMetadata: {} }],
};

const DEFAULT_BRANCHES: readonly TemplateBranch[] = [{ branch: 'default', description: 'default', appMetadata: {} }];

interface LanguageCase {
  language: EmailLanguage;
  source: LanguageSource;
  slug: string;
  locale?: string;
  requestLanguage?: string;
  description: string;
}

/** Each language reached by each source, and the user's choice winning over the browser's. */
const LANGUAGE_CASES: readonly LanguageCase[] = [
  { language: 'en', source: 'fallback', slug: 'en-fallback', description: 'English: no locale, no request language' },
  {
    language: 'en',
    source: 'user_metadata.locale',
    slug: 'en-user-locale',
    locale: 'en',
    requestLanguage: 'fr-FR,fr;q=0.9',
    description: 'English: user_metadata.locale "en" wins over a French browser',
  },
  {
    language: 'fr',
    source: 'user_metadata.locale',
    slug: 'fr-user-locale',
    locale: 'fr',
    description: 'French: user_metadata.locale "fr"',
  },
  {
    language: 'fr',
    source: 'request_language',
    slug: 'fr-request-language',
    requestLanguage: 'fr-CA,fr;q=0.9,en;q=0.8',
    description: 'French: request_language "fr-CA,fr;q=0.9,en;q=0.8"',
  },
];

const TENANT = {
  tenant: 'email-flows-sample',
  friendly_name: 'Email Flows',
  support_email: 'support@example.com',
  support_url: 'https://example.com/support',
};

function sampleUser(
  connection: SampleConnection,
  appMetadata: Record<string, unknown>,
  languageCase: LanguageCase,
  hostile: boolean,
): Auth0TemplateUser {
  const userMetadata: Record<string, unknown> = languageCase.locale !== undefined ? { locale: languageCase.locale } : {};
  const user: Auth0TemplateUser = {
    user_id: connection === 'members' ? 'auth0|64f000000000000000000001' : 'auth0|64f000000000000000000002',
    email: connection === 'members' ? 'ada@example.com' : 'front-desk@example.com',
    email_verified: false,
    app_metadata: { ...appMetadata },
    user_metadata: userMetadata,
  };
  // Only the non-unique connection has usernames; members users are known by their email.
  if (connection === 'shared-inbox') user.username = 'desk-paris';
  if (hostile) {
    user.name = `Eve ${HOSTILE_MARKUP}`;
    user.nickname = `eve${HOSTILE_MARKUP}`;
    user.given_name = `Eve${HOSTILE_MARKUP}`;
    user.family_name = `Doe${HOSTILE_MARKUP}`;
    userMetadata.display_name = `Eve ${HOSTILE_MARKUP}`;
    if (connection === 'shared-inbox') user.username = `desk${HOSTILE_MARKUP}`;
  }
  return user;
}

function sampleUrl(template: string, branch: string): string {
  const base = 'https://email-flows-sample.eu.auth0.com';
  if (template === 'reset_email') return `${base}/lo/reset?ticket=SAMPLEticket0123456789#${branch === 'invitation' ? 'type=invite' : ''}`;
  if (template === 'verify_email') return `${base}/u/email-verification?ticket=SAMPLEticket0123456789#`;
  return `${base}/`;
}

/** The applications of tenant/clients, as the templates see them (`application`). */
const SAMPLE_APPLICATIONS: readonly Auth0TemplateVariables['application'][] = [
  {
    name: 'Email Flows App',
    clientID: 'SAMPLEclientID000000000000000000',
    client_metadata: { verify_result_url: 'https://app.example.com/verified' },
    metadata: { verify_result_url: 'https://app.example.com/verified' },
  },
  {
    name: 'Partner Portal',
    clientID: 'SAMPLEpartnerID00000000000000000',
    client_metadata: { email_welcome_template: 'd-partner-welcome', verify_result_url: 'https://partners.example.com/verified' },
    metadata: { email_welcome_template: 'd-partner-welcome', verify_result_url: 'https://partners.example.com/verified' },
  },
];

/**
 * Every sample of one template (or of every shipped template when `template` is left out):
 * branches × connections × language cases, plus one hostile sample per branch and connection,
 * for the default application; then, for the second application, branches × connections × one
 * English and one French case (ids `<template>.<branch>.<connection>.partner-portal.<case>`).
 */
export function auth0EmailSamples(template?: string): Auth0EmailSample[] {
  const templates = template === undefined ? Object.keys(TEMPLATE_BRANCHES) : [template];
  const samples: Auth0EmailSample[] = [];
  for (const [index, application] of SAMPLE_APPLICATIONS.entries()) {
    const isDefault = index === 0;
    const appSlug = isDefault ? '' : `${application.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.`;
    for (const name of templates) {
      for (const branch of TEMPLATE_BRANCHES[name] ?? DEFAULT_BRANCHES) {
        for (const connection of SAMPLE_CONNECTIONS) {
          const cases = isDefault
            ? LANGUAGE_CASES.map((languageCase) => ({ languageCase, hostile: false }))
            : LANGUAGE_CASES.filter((c) => c.slug === 'en-fallback' || c.slug === 'fr-request-language').map((languageCase) => ({
                languageCase,
                hostile: false,
              }));
          if (isDefault) cases.push({ languageCase: LANGUAGE_CASES[0] as LanguageCase, hostile: true });
          for (const { languageCase, hostile } of cases) {
            const variables: Auth0TemplateVariables = {
              url: sampleUrl(name, branch.branch),
              user: sampleUser(connection, branch.appMetadata, languageCase, hostile),
              application: structuredClone(application),
              connection: { name: connection },
              request_language: languageCase.requestLanguage ?? '',
              ...TENANT,
            };
            samples.push({
              id: `${name}.${branch.branch}.${connection}.${appSlug}${hostile ? 'hostile' : languageCase.slug}`,
              template: name,
              branch: branch.branch,
              connection,
              language: languageCase.language,
              languageSource: languageCase.source,
              hostile,
              application: application.name,
              description: `${name}: ${branch.description}, ${connection}, ${isDefault ? '' : `${application.name}, `}${hostile ? 'user fields carrying HTML markup' : languageCase.description}`,
              variables,
            });
          }
        }
      }
    }
  }
  return samples;
}
