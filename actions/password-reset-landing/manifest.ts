import type { ActionManifest } from '../shared/action-manifest';

export const manifest: ActionManifest = {
  name: 'password-reset-landing',
  trigger: { id: 'password-reset-post-challenge', version: 'v1' },
  secrets: ['RESET_RESULT_URL'],
  dependencies: [],
};
