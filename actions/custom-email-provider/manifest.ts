import type { ActionManifest } from '../shared/action-manifest';

/** The Action's name, on its own: the handler logs it, and importing only this keeps the manifest's lists out of the bundle. */
export const actionName = 'custom-email-provider';

export const manifest: ActionManifest = {
  name: actionName,
  trigger: { id: 'custom-email-provider', version: 'v1' },
  secrets: ['SENDGRID_API_KEY', 'MAIL_FROM', 'EMAIL_ROUTES'],
  jsonSecrets: ['EMAIL_ROUTES'],
  // No Management API call: the trigger's event.user already carries app_metadata.
  dependencies: ['@sendgrid/mail'],
};
