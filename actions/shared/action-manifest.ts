/** What the build needs to know of an Action to write auth0-deploy-cli's `actions/<name>.json`. */
export interface ActionManifest {
  name: string;
  trigger: { id: 'post-login' | 'post-user-registration' | 'custom-email-provider' | 'password-reset-post-challenge'; version: string };
  /** Every secret the Action reads; each becomes a `##NAME##` keyword in the deployed config. */
  secrets: readonly string[];
  /**
   * The secrets whose values are JSON text. deploy-cli pastes a `##NAME##` value into the JSON
   * file as is, so a value with quotes breaks the file; these become `@@NAME@@`, which it
   * writes as a JSON string.
   */
  jsonSecrets?: readonly string[];
  /** npm packages the Action requires at run time: declared to Auth0, never bundled. */
  dependencies: readonly string[];
}
