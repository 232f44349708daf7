import type { ActionManifest } from '../shared/action-manifest';

/** The Action's name, on its own: the handler logs it, and importing only this keeps the manifest's lists out of the bundle. */
export const actionName = 'verify-and-welcome';

export const manifest: ActionManifest = {
  name: actionName,
  trigger: { id: 'post-login', version: 'v3' },
  secrets: [
    'AUTH0_DOMAIN',
    'AUTH0_CLIENT_ID',
    'AUTH0_CLIENT_SECRET',
    'VERIFY_TEMPLATE_ID',
    'VERIFY_RESULT_URL',
    'VERIFY_TTL_SEC',
    'WELCOME_TEMPLATE_ID',
    'WELCOME_SINCE',
    'SENDGRID_API_KEY',
    'MAIL_FROM',
    'TEMPLATE_IDS',
  ],
  jsonSecrets: ['TEMPLATE_IDS'],
  dependencies: ['auth0', '@sendgrid/mail'],
};
