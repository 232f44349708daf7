import type { ActionManifest } from '../shared/action-manifest';

/** The Action's name, on its own: the handler logs it, and importing only this keeps the manifest's lists out of the bundle. */
export const actionName = 'invite-on-registration';

export const manifest: ActionManifest = {
  name: actionName,
  trigger: { id: 'post-user-registration', version: 'v2' },
  secrets: [
    'AUTH0_DOMAIN',
    'AUTH0_CLIENT_ID',
    'AUTH0_CLIENT_SECRET',
    'INVITE_CONNECTIONS',
    'INVITE_MODE',
    'INVITE_CLIENT_ID',
    'INVITE_RESULT_URL',
    'INVITE_TTL_SEC',
    'INVITE_APP_NAME',
    'INVITE_TEMPLATE_ID',
    'SENDGRID_API_KEY',
    'MAIL_FROM',
    'TEMPLATE_IDS',
  ],
  jsonSecrets: ['TEMPLATE_IDS'],
  dependencies: ['auth0', '@sendgrid/mail'],
};
