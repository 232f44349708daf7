import type { Agent } from 'node:https';
import type { MailService } from '@sendgrid/mail';
import type { EmailBudget } from './email-budget';
import { fail, succeed, type Outcome } from './outcome';
import type { MailSettings } from './settings';

export interface TemplateEmail {
  to: string;
  templateId: string;
  data: Record<string, unknown>;
  /** For SendGrid's analytics and for finding the message later; never personal data. */
  categories?: string[] | undefined;
  customArgs?: Record<string, string> | undefined;
  sandbox?: boolean | undefined;
}

export interface SendGridOptions extends MailSettings {
  /** Another API host, e.g. SendGrid's EU host or the local tenant's stand-in. */
  baseUrl?: string;
  /** An https.Agent for axios, e.g. one that also trusts the local tenant's CA (admin scripts; never in an Action). */
  httpsAgent?: Agent;
}

type MailServiceClass = new () => MailService & { client: { setDefaultRequest(key: string, value: unknown): void } };

/** An email whose content is already rendered (Auth0's own emails, through custom-email-provider). */
interface ContentEmail {
  to: string;
  /** The sender, `Name <address>` or an address; default: the settings' `from`. */
  from?: string;
  subject: string;
  /** At least one of html and text must be non-empty: SendGrid rejects an empty content block. */
  html?: string;
  text?: string;
  categories?: string[] | undefined;
  customArgs?: Record<string, string> | undefined;
  sandbox?: boolean | undefined;
}

/**
 * Sends a SendGrid dynamic-template email with `@sendgrid/mail` (a declared dependency, never
 * bundled, required only when an email is sent). Succeeds only on SendGrid's 202, with its
 * message id. Each call uses its own MailService: the module singleton would share the API key
 * and host between executions of different Actions.
 */
export function sendTemplateEmail(
  settings: SendGridOptions,
  email: TemplateEmail,
  budget: EmailBudget,
): Promise<Outcome<{ messageId: string | undefined }>> {
  return send(
    settings,
    {
      to: recipient(email.to),
      from: settings.from,
      templateId: email.templateId,
      dynamicTemplateData: withLanguage(email.data),
      ...common(email),
    } as MailData,
    email.sandbox === true,
    budget,
  );
}

/**
 * Adds `language` (`fr` for `fr-CA`) beside `locale`: the kept templates branch on it with
 * `{{#equals language "fr"}}`, SendGrid having no helper that compares a prefix.
 */
function withLanguage(data: Record<string, unknown>): Record<string, unknown> {
  const locale = data.locale;
  if (typeof locale !== 'string' || data.language !== undefined) return data;
  return { ...data, language: locale.split('-')[0]?.toLowerCase() ?? locale };
}

/** Sends an already rendered email (subject, HTML and text as given), with the same outcomes as sendTemplateEmail. */
export function sendContentEmail(
  settings: SendGridOptions,
  email: ContentEmail,
  budget: EmailBudget,
): Promise<Outcome<{ messageId: string | undefined }>> {
  // SendGrid wants text/plain before text/html, and rejects an empty block: empty parts stay out.
  const content = [
    ...(email.text !== undefined && email.text !== '' ? [{ type: 'text/plain', value: email.text }] : []),
    ...(email.html !== undefined && email.html !== '' ? [{ type: 'text/html', value: email.html }] : []),
  ];
  return send(
    settings,
    { to: recipient(email.to), from: email.from ?? settings.from, subject: email.subject, content, ...common(email) } as MailData,
    email.sandbox === true,
    budget,
  );
}

/**
 * The recipient as an object: given a string, @sendgrid/mail parses `Name <address>` and sends to
 * the address inside the brackets, so an email field reading `ada@example.com <eve@example.org>`
 * would go to eve. As an object the value is the address, and SendGrid refuses it if it is none.
 */
function recipient(address: string): { email: string } {
  return { email: address };
}

function common(email: Pick<TemplateEmail, 'categories' | 'customArgs' | 'sandbox'>) {
  return {
    // Otherwise the helper warns on every URL with `&`: Handlebars' {{ }} escaping is what we want.
    hideWarnings: true,
    // @sendgrid/mail leaves out a field that is undefined (its Mail setters check for it).
    categories: email.categories?.length ? email.categories : undefined,
    customArgs: email.customArgs,
    mailSettings: email.sandbox === true ? { sandboxMode: { enable: true } } : undefined,
  };
}

type MailData = Parameters<MailService['send']>[0];

async function send(
  settings: SendGridOptions,
  data: MailData,
  sandbox: boolean,
  budget: EmailBudget,
): Promise<Outcome<{ messageId: string | undefined }>> {
  const work = async (): Promise<Outcome<{ messageId: string | undefined }>> => {
    try {
      const singleton = require('@sendgrid/mail') as MailService;
      const Service = singleton.constructor as MailServiceClass;
      const mail = new Service();
      mail.setApiKey(settings.apiKey);
      // setApiKey resets the host, so the override comes after it.
      if (settings.baseUrl !== undefined) mail.client.setDefaultRequest('baseUrl', settings.baseUrl);
      if (settings.httpsAgent !== undefined) mail.client.setDefaultRequest('httpsAgent', settings.httpsAgent);
      // axios' timeout is per socket; the budget race below bounds the whole exchange.
      mail.setTimeout(Math.max(1, budget.remainingMs()));
      const [response] = await mail.send(data);
      // Sandbox mode: SendGrid validates and answers 200 instead of 202.
      const accepted = response.statusCode === 202 || (sandbox && response.statusCode === 200);
      if (!accepted) return fail(`sendgrid_http_${response.statusCode}`);
      // @sendgrid/client types the headers `any`: read them as unknown and narrow.
      const messageId = (response.headers as Record<string, unknown>)['x-message-id'];
      return succeed({ messageId: typeof messageId === 'string' ? messageId : undefined });
    } catch (error) {
      return fail(sendGridFailure(error));
    }
  };
  return budget.race('sendgrid', work());
}

/** SendGrid's ResponseError carries `code` (the HTTP status); axios errors carry a socket code. */
function sendGridFailure(error: unknown): string {
  const { code } = (error ?? {}) as { code?: unknown };
  if (typeof code === 'number') return `sendgrid_http_${code}`;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return 'sendgrid_timeout';
  return 'sendgrid_network';
}
