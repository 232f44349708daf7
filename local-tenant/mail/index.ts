// The mail side of the local tenant: SendGrid stand-in, outbox, outbox page (the kept templates'
// Handlebars lives in email-templates/engines.ts).
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
export { escapeHtml } from './html';
