// Stand-in for SendGrid's v3 Mail Send API (https://api.sendgrid.com/v3/mail/send): the same
// validation, status codes and error bodies as SendGrid for the fields this project uses, and
// delivery into the local outbox, rendered with the kept dynamic templates.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { NewOutboxEmail, Outbox } from './outbox';
import { loadKeptTemplates, type KeptTemplates, type TemplateData } from '../../email-templates/engines';
import { escapeHtml } from './html';

export interface SendgridError {
  message: string;
  field: string | null;
  help: string | null;
}

export interface SendgridErrorBody {
  errors: SendgridError[];
}

interface SendgridAddress {
  email: string;
  name?: string;
}

interface SendgridPersonalization {
  to: SendgridAddress[];
  cc?: SendgridAddress[];
  bcc?: SendgridAddress[];
  subject?: string;
  dynamic_template_data?: Record<string, unknown>;
  custom_args?: Record<string, string>;
}

/** The part of the Mail Send body this stand-in reads (other fields are accepted and ignored). */
interface MailSendRequest {
  personalizations: SendgridPersonalization[];
  from: SendgridAddress;
  subject?: string;
  content?: { type: string; value: string }[];
  template_id?: string;
  categories?: string[];
  custom_args?: Record<string, string>;
  mail_settings?: { sandbox_mode?: { enable: boolean } };
}

type MailSendValidation = { ok: true; request: MailSendRequest } | { ok: false; errors: SendgridError[] };

interface SendgridAppOptions {
  outbox: Outbox;
  /** API keys accepted in `Authorization: Bearer <key>`. */
  apiKeys: readonly string[];
  /** Kept dynamic templates; default: loaded from sendgrid-templates/. */
  templates?: KeptTemplates;
  /** Request header naming the sender (the Actions runtime sets it); default `x-local-action`. */
  senderHeader?: string;
  /** custom_args key naming the sender when the header is absent; default `action`. */
  senderCustomArg?: string;
  /** custom_args key naming the user the email is about; default `user_id`. */
  userIdCustomArg?: string;
  newMessageId?: () => string;
}

const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';
const MAX_PERSONALIZATIONS = 1000;
const MAX_RECIPIENTS = 1000;
const MAX_CATEGORIES = 10;
// SendGrid wants a domain with a dot; this is as strict as we need locally.
const EMAIL_PATTERN = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:".]+$/;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeError(field: string, expected: string, value: unknown, help: string | null = null): SendgridError {
  return { message: `Invalid type. Expected: ${expected}, given: ${jsonType(value)}.`, field, help };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateAddressList(list: unknown, field: string, kind: 'to' | 'cc' | 'bcc', errors: SendgridError[]): SendgridAddress[] {
  const help = `${HELP}#message.personalizations.${kind}`;
  if (!Array.isArray(list)) {
    errors.push(typeError(field, 'array', list, help));
    return [];
  }
  const addresses: SendgridAddress[] = [];
  list.forEach((entry, j) => {
    if (!isRecord(entry)) {
      errors.push(typeError(`${field}.${j}`, 'object', entry, help));
      return;
    }
    if (entry.email === undefined || entry.email === '') {
      errors.push({ message: `The ${kind} email parameter is required.`, field: `${field}.${j}.email`, help });
    } else if (typeof entry.email !== 'string') {
      errors.push(typeError(`${field}.${j}.email`, 'string', entry.email, help));
    } else if (!EMAIL_PATTERN.test(entry.email)) {
      errors.push({ message: 'Does not contain a valid address.', field: `${field}.${j}.email`, help });
    } else {
      addresses.push(typeof entry.name === 'string' ? { email: entry.email, name: entry.name } : { email: entry.email });
    }
  });
  return addresses;
}

function validateCustomArgs(value: unknown, field: string, errors: SendgridError[]): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    errors.push(typeError(field, 'object', value, `${HELP}#message.custom_args`));
    return undefined;
  }
  for (const [key, arg] of Object.entries(value)) {
    if (typeof arg !== 'string') errors.push(typeError(`${field}.${key}`, 'string', arg, `${HELP}#message.custom_args`));
  }
  return value as Record<string, string>;
}

/** Validates a Mail Send body the way SendGrid does for the fields we use; all errors at once. */
export function validateMailSend(body: unknown): MailSendValidation {
  const errors: SendgridError[] = [];
  if (!isRecord(body)) {
    return { ok: false, errors: [typeError('(root)', 'object', body)] };
  }
  const hasTemplate = body.template_id !== undefined;
  if (hasTemplate && typeof body.template_id !== 'string') {
    errors.push(typeError('template_id', 'string', body.template_id, `${HELP}#message.template_id`));
  }

  // personalizations
  const personalizations: SendgridPersonalization[] = [];
  const rawPersonalizations = body.personalizations;
  if (!Array.isArray(rawPersonalizations) || rawPersonalizations.length === 0) {
    errors.push({
      message: 'The personalizations field is required and must have at least one personalization.',
      field: 'personalizations',
      help: `${HELP}#-Personalizations-Errors`,
    });
  } else if (rawPersonalizations.length > MAX_PERSONALIZATIONS) {
    errors.push({
      message: `The personalization block is limited to ${MAX_PERSONALIZATIONS} personalizations per API request. You have provided ${rawPersonalizations.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
      field: 'personalizations',
      help: `${HELP}#message.personalizations`,
    });
  } else {
    let recipients = 0;
    rawPersonalizations.forEach((raw, i) => {
      const field = `personalizations.${i}`;
      if (!isRecord(raw)) {
        errors.push(typeError(field, 'object', raw));
        return;
      }
      if (!Array.isArray(raw.to) || raw.to.length === 0) {
        errors.push({
          message:
            'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
          field: `${field}.to`,
          help: `${HELP}#message.personalizations.to`,
        });
        return;
      }
      const p: SendgridPersonalization = { to: validateAddressList(raw.to, `${field}.to`, 'to', errors) };
      if (raw.cc !== undefined) p.cc = validateAddressList(raw.cc, `${field}.cc`, 'cc', errors);
      if (raw.bcc !== undefined) p.bcc = validateAddressList(raw.bcc, `${field}.bcc`, 'bcc', errors);
      recipients += p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0);

      // SendGrid refuses the same address twice within one personalization.
      const seen = new Set<string>();
      for (const [kind, list] of [
        ['to', p.to],
        ['cc', p.cc ?? []],
        ['bcc', p.bcc ?? []],
      ] as const) {
        const duplicate = list.find((a) => {
          const key = a.email.toLowerCase();
          if (seen.has(key)) return true;
          seen.add(key);
          return false;
        });
        if (duplicate) {
          errors.push({
            message: `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${duplicate.email}] in the ${field}.${kind} field.`,
            field,
            help: `${HELP}#message.recipient-errors`,
          });
          break;
        }
      }

      if (raw.subject !== undefined) {
        if (typeof raw.subject !== 'string') errors.push(typeError(`${field}.subject`, 'string', raw.subject));
        else p.subject = raw.subject;
      }
      if (raw.dynamic_template_data !== undefined) {
        if (!isRecord(raw.dynamic_template_data)) {
          errors.push(typeError(`${field}.dynamic_template_data`, 'object', raw.dynamic_template_data));
        } else {
          p.dynamic_template_data = raw.dynamic_template_data;
        }
      }
      const customArgs = validateCustomArgs(raw.custom_args, `${field}.custom_args`, errors);
      if (customArgs) p.custom_args = customArgs;
      personalizations.push(p);
    });
    if (recipients > MAX_RECIPIENTS) {
      errors.push({
        message: `There is a limit of ${MAX_RECIPIENTS} total recipients (to + cc + bcc) per request.`,
        field: 'personalizations',
        help: `${HELP}#message.personalizations`,
      });
    }
  }

  // from
  let from: SendgridAddress | undefined;
  if (!isRecord(body.from) || body.from.email === undefined || body.from.email === '') {
    if (body.from !== undefined && !isRecord(body.from)) {
      errors.push(typeError('from', 'object', body.from, `${HELP}#message.from`));
    } else {
      errors.push({
        message:
          'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
        field: 'from.email',
        help: `${HELP}#message.from`,
      });
    }
  } else if (typeof body.from.email !== 'string' || !EMAIL_PATTERN.test(body.from.email)) {
    errors.push({ message: 'The from email does not contain a valid address.', field: 'from.email', help: `${HELP}#message.from` });
  } else {
    from = typeof body.from.name === 'string' ? { email: body.from.email, name: body.from.name } : { email: body.from.email };
  }

  // subject: required unless a template or every personalization gives one
  if (body.subject !== undefined && typeof body.subject !== 'string') {
    errors.push(typeError('subject', 'string', body.subject, `${HELP}#message.subject`));
  }
  const everyPersonalizationHasSubject = personalizations.length > 0 && personalizations.every((p) => p.subject);
  if (!hasTemplate && !body.subject && !everyPersonalizationHasSubject) {
    errors.push({
      message:
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
      field: 'subject',
      help: `${HELP}#message.subject`,
    });
  }

  // content: required unless a template
  const content: { type: string; value: string }[] = [];
  if (body.content !== undefined && !Array.isArray(body.content)) {
    errors.push(typeError('content', 'array', body.content, `${HELP}#message.content`));
  } else if (Array.isArray(body.content)) {
    body.content.forEach((block, i) => {
      if (!isRecord(block)) {
        errors.push(typeError(`content.${i}`, 'object', block, `${HELP}#message.content`));
      } else if (typeof block.type !== 'string' || block.type === '') {
        errors.push({
          message: 'The content type cannot contain ";", or CRLF characters, and must be at least one character in length.',
          field: `content.${i}.type`,
          help: `${HELP}#message.content.type`,
        });
      } else if (typeof block.value !== 'string' || block.value === '') {
        errors.push({
          message: 'The content value must be a string at least one character in length.',
          field: `content.${i}.value`,
          help: `${HELP}#message.content.value`,
        });
      } else {
        content.push({ type: block.type, value: block.value });
      }
    });
  }
  if (!hasTemplate && (!Array.isArray(body.content) || body.content.length === 0)) {
    errors.push({
      message:
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
      field: 'content',
      help: `${HELP}#message.content`,
    });
  }

  // categories
  let categories: string[] | undefined;
  if (body.categories !== undefined) {
    if (!Array.isArray(body.categories)) {
      errors.push(typeError('categories', 'array', body.categories, `${HELP}#message.categories`));
    } else if (body.categories.length > MAX_CATEGORIES) {
      errors.push({
        message: `Too many categories. You may only use up to ${MAX_CATEGORIES} categories per email.`,
        field: 'categories',
        help: `${HELP}#message.categories`,
      });
    } else {
      body.categories.forEach((category, i) => {
        if (typeof category !== 'string') errors.push(typeError(`categories.${i}`, 'string', category, `${HELP}#message.categories`));
      });
      categories = body.categories.filter((c): c is string => typeof c === 'string');
    }
  }

  const customArgs = validateCustomArgs(body.custom_args, 'custom_args', errors);

  // mail_settings.sandbox_mode
  let sandbox: boolean | undefined;
  if (body.mail_settings !== undefined) {
    if (!isRecord(body.mail_settings)) {
      errors.push(typeError('mail_settings', 'object', body.mail_settings, `${HELP}#message.mail_settings`));
    } else if (body.mail_settings.sandbox_mode !== undefined) {
      const mode = body.mail_settings.sandbox_mode;
      if (!isRecord(mode) || typeof mode.enable !== 'boolean') {
        errors.push({
          message: 'The sandbox mode enable param should be a boolean value.',
          field: 'mail_settings.sandbox_mode.enable',
          help: `${HELP}#message.mail_settings.sandbox_mode.enable`,
        });
      } else {
        sandbox = mode.enable;
      }
    }
  }

  if (errors.length > 0 || from === undefined) return { ok: false, errors };
  const request: MailSendRequest = { personalizations, from };
  if (typeof body.subject === 'string') request.subject = body.subject;
  if (content.length > 0) request.content = content;
  if (typeof body.template_id === 'string') request.template_id = body.template_id;
  if (categories) request.categories = categories;
  if (customArgs) request.custom_args = customArgs;
  if (sandbox !== undefined) request.mail_settings = { sandbox_mode: { enable: sandbox } };
  return { ok: true, request };
}

/** Page shown for a template id we do not keep: the data the Action sent, as is. */
function rawTemplateHtml(templateId: string, data: TemplateData): string {
  return (
    `<!DOCTYPE html><html><body style="font-family:Helvetica,Arial,sans-serif;padding:16px">` +
    `<p>Template <code>${escapeHtml(templateId)}</code> is not kept in sendgrid-templates/; dynamic_template_data as sent:</p>` +
    `<pre style="white-space:pre-wrap;background:#f4f5f7;padding:12px;border-radius:6px">${escapeHtml(JSON.stringify(data, null, 2))}</pre>` +
    `</body></html>`
  );
}

/** What one personalization of an accepted request becomes in the outbox. */
function renderPersonalization(
  request: MailSendRequest,
  p: SendgridPersonalization,
  templates: KeptTemplates,
): Pick<NewOutboxEmail, 'subject' | 'html' | 'text'> {
  const fallbackSubject = p.subject ?? request.subject;
  if (request.template_id !== undefined) {
    const data = p.dynamic_template_data ?? {};
    const template = templates.get(request.template_id);
    if (!template) {
      return { subject: fallbackSubject ?? `(template ${request.template_id})`, html: rawTemplateHtml(request.template_id, data) };
    }
    const rendered = template.render(data);
    const result: Pick<NewOutboxEmail, 'subject' | 'html' | 'text'> = {
      subject: rendered.subject || fallbackSubject || '',
      html: rendered.html,
    };
    if (rendered.text !== undefined) result.text = rendered.text;
    return result;
  }
  const html = request.content?.find((c) => c.type === 'text/html')?.value;
  const text = request.content?.find((c) => c.type === 'text/plain')?.value;
  const result: Pick<NewOutboxEmail, 'subject' | 'html' | 'text'> = {
    subject: fallbackSubject ?? '',
    html: html ?? `<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(text ?? '')}</pre>`,
  };
  if (text !== undefined) result.text = text;
  return result;
}

function errorResponse(message: string, field: string | null = null): SendgridErrorBody {
  return { errors: [{ message, field, help: null }] };
}

/** SendGrid's x-message-id looks like 22 base64url characters. */
function defaultMessageId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** Hono sub-app for the host served as https://api.sendgrid.com. */
export function createSendgridApp(options: SendgridAppOptions): Hono {
  const templates = options.templates ?? loadKeptTemplates();
  const senderHeader = options.senderHeader ?? 'x-local-action';
  const senderCustomArg = options.senderCustomArg ?? 'action';
  const userIdCustomArg = options.userIdCustomArg ?? 'user_id';
  const newMessageId = options.newMessageId ?? defaultMessageId;
  const keys = new Set(options.apiKeys);
  const app = new Hono();

  app.post('/v3/mail/send', async (c) => {
    const authorization = c.req.header('authorization');
    if (!authorization) return c.json(errorResponse('authorization required'), 401);
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!match?.[1] || !keys.has(match[1])) {
      return c.json(errorResponse('The provided authorization grant is invalid, expired, or revoked'), 401);
    }

    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json(errorResponse('Bad Request'), 400);
    }
    const validation = validateMailSend(body);
    if (!validation.ok) return c.json({ errors: validation.errors } satisfies SendgridErrorBody, 400);
    const request = validation.request;

    // Sandbox mode: validated only, nothing delivered; SendGrid answers 200 instead of 202.
    if (request.mail_settings?.sandbox_mode?.enable === true) return c.body(null, 200);

    const messageId = newMessageId();
    const headerSender = c.req.header(senderHeader);
    const template = request.template_id === undefined ? undefined : templates.get(request.template_id);
    for (const p of request.personalizations) {
      const sender = headerSender ?? p.custom_args?.[senderCustomArg] ?? request.custom_args?.[senderCustomArg];
      const userId = p.custom_args?.[userIdCustomArg] ?? request.custom_args?.[userIdCustomArg];
      const email: NewOutboxEmail = {
        to: p.to.map((a) => a.email),
        from: request.from.email,
        ...renderPersonalization(request, p, templates),
        source: {
          kind: 'sendgrid',
          messageId,
          ...(request.template_id === undefined ? {} : { templateId: request.template_id }),
          ...(template === undefined ? {} : { templateName: template.name }),
          ...(p.dynamic_template_data === undefined ? {} : { dynamicTemplateData: p.dynamic_template_data }),
        },
        categories: request.categories ?? [],
      };
      if (p.cc?.length) email.cc = p.cc.map((a) => a.email);
      if (p.bcc?.length) email.bcc = p.bcc.map((a) => a.email);
      if (request.from.name !== undefined) email.fromName = request.from.name;
      if (sender !== undefined && sender !== '') email.sender = sender;
      if (userId !== undefined && userId !== '') email.user_id = userId;
      options.outbox.deliver(email);
    }
    return c.body(null, 202, { 'x-message-id': messageId });
  });

  return app;
}
