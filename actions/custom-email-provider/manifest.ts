import type { ActionManifest } from '../shared/action-manifest';

export const manifest: ActionManifest = {
  name: 'custom-email-provider',
  trigger: { id: 'custom-email-provider', version: 'v1' },
  secrets: ['SENDGRID_API_KEY', 'MAIL_FROM', 'EMAIL_ROUTES'],
  jsonSecrets: ['EMAIL_ROUTES'],
  // No Management API call: the trigger's event.user already carries app_metadata.
  dependencies: ['@sendgrid/mail'],
};
