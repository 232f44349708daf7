// The mail side of the local tenant: SendGrid stand-in, outbox, outbox page (the kept templates'
// Handlebars lives in email-templates/engines.ts).
export { Outbox } from './outbox';
export type { OutboxEmail, OutboxSnapshot } from './outbox';
export { createSendgridApp } from './sendgrid-api';
export { createOutboxApp } from './outbox-app';
export type { ActionExecutionView, OutboxPageExtras, OutboxUserView } from './outbox-page';
