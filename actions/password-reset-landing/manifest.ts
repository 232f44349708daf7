import type { ActionManifest } from '../shared/action-manifest';

/** The Action's name, on its own: the handler logs it, and importing only this keeps the manifest's lists out of the bundle. */
export const actionName = 'password-reset-landing';

export const manifest: ActionManifest = {
  name: actionName,
  trigger: { id: 'password-reset-post-challenge', version: 'v1' },
  secrets: ['RESET_RESULT_URL'],
  dependencies: [],
};
