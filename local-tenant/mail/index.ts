// The mail side of the local tenant: SendGrid stand-in, outbox, outbox page, kept templates.
export { Outbox } from './outbox';
export type { Auth0TemplateEmail, EmailSource, NewOutboxEmail, OutboxEmail, OutboxListener, OutboxOptions, OutboxSnapshot } from './outbox';
export { createSendgridApp, validateMailSend, renderPersonalization } from './sendgrid-api';
export type {
  MailSendRequest,
  MailSendValidation,
  SendgridAddress,
  SendgridAppOptions,
  SendgridError,
  SendgridErrorBody,
  SendgridPersonalization,
} from './sendgrid-api';
export { createOutboxApp } from './outbox-app';
export type { OutboxAppOptions } from './outbox-app';
export { renderOutboxPage, outboxPageFingerprint, withTopTargetLinks } from './outbox-page';
export type { ActionExecutionView, OutboxPageData, OutboxPageExtras, OutboxPageOptions, OutboxUserView } from './outbox-page';
export { DEFAULT_TEMPLATES_DIR, createSendgridHandlebars, formatDate, loadKeptTemplates } from './templates';
export type { KeptTemplate, KeptTemplates, RenderedTemplate, TemplateData, TemplateManifestEntry } from './templates';
export { escapeHtml } from './html';
