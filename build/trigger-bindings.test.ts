import type { ActionManifest } from '../actions/shared/action-manifest';
import { emailProviderProblems, triggerBindingProblems } from './trigger-bindings';

const manifest = (name: string, trigger: ActionManifest['trigger']['id']): ActionManifest => ({
  name,
  trigger: { id: trigger, version: 'v1' },
  secrets: [],
  dependencies: [],
});
const manifests = [
  manifest('custom-email-provider', 'custom-email-provider'),
  manifest('other-email-provider', 'custom-email-provider'),
  manifest('verify-and-welcome', 'post-login'),
  manifest('second-login', 'post-login'),
];
const bind = (...names: string[]) => names.map((name) => ({ action_name: name, display_name: name }));

describe('triggerBindingProblems', () => {
  it('accepts one Action on custom-email-provider and several on post-login', () => {
    expect(
      triggerBindingProblems(
        { 'custom-email-provider': bind('custom-email-provider'), 'post-login': bind('verify-and-welcome', 'second-login') },
        manifests,
        'triggers.json',
      ),
    ).toEqual([]);
  });

  it('refuses two Actions on custom-email-provider', () => {
    expect(
      triggerBindingProblems(
        { 'custom-email-provider': bind('custom-email-provider', 'other-email-provider') },
        manifests,
        'triggers.json',
      ),
    ).toEqual([
      'triggers.json binds 2 Actions to custom-email-provider (custom-email-provider, other-email-provider), but Auth0 runs exactly one Action on this trigger: bind one.',
    ]);
  });

  it('refuses unknown Actions and Actions of another trigger', () => {
    expect(triggerBindingProblems({ 'post-login': bind('missing', 'custom-email-provider') }, manifests, 'triggers.json')).toEqual([
      'triggers.json binds "missing" to post-login, but actions/ has no such Action.',
      'triggers.json binds "custom-email-provider" to post-login, but it is a custom-email-provider Action.',
    ]);
  });
});

describe('emailProviderProblems', () => {
  it('refuses the custom provider without its Action', () => {
    expect(emailProviderProblems('custom', {}, 'provider.json')).toHaveLength(1);
    expect(emailProviderProblems('custom', { 'custom-email-provider': bind('custom-email-provider') }, 'provider.json')).toEqual([]);
    expect(emailProviderProblems('sendgrid', {}, 'provider.json')).toEqual([]);
  });
});
