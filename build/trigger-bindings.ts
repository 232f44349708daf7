import type { ActionManifest } from '../actions/shared/action-manifest';

/** `triggers/triggers.json`: the Actions bound to each trigger, in execution order. */
export type TriggerBindings = Record<string, { action_name: string; display_name: string }[]>;

/** Triggers that Auth0 lets run one Action only: the Action is the delivery of every email. */
const SINGLE_ACTION_TRIGGERS: readonly string[] = ['custom-email-provider'];

/**
 * What is wrong with the trigger bindings: an Action that does not exist, an Action bound to
 * a trigger it was not written for, or a second Action on a trigger that takes one.
 */
export function triggerBindingProblems(triggers: TriggerBindings, manifests: readonly ActionManifest[], file: string): string[] {
  const problems: string[] = [];
  for (const [trigger, bindings] of Object.entries(triggers)) {
    if (!Array.isArray(bindings)) {
      problems.push(`${file}: the bindings of ${trigger} must be a list.`);
      continue;
    }
    for (const binding of bindings) {
      const manifest = manifests.find((m) => m.name === binding.action_name);
      if (manifest === undefined) {
        problems.push(`${file} binds "${binding.action_name}" to ${trigger}, but actions/ has no such Action.`);
      } else if (manifest.trigger.id !== trigger) {
        problems.push(`${file} binds "${binding.action_name}" to ${trigger}, but it is a ${manifest.trigger.id} Action.`);
      }
    }
    if (SINGLE_ACTION_TRIGGERS.includes(trigger) && bindings.length > 1) {
      problems.push(
        `${file} binds ${bindings.length} Actions to ${trigger} (${bindings.map((b) => b.action_name).join(', ')}), ` +
          'but Auth0 runs exactly one Action on this trigger: bind one.',
      );
    }
  }
  return problems;
}

/**
 * Auth0's custom email provider delivers nothing without an Action on custom-email-provider:
 * every email of the tenant would be lost.
 */
export function emailProviderProblems(providerName: string | undefined, triggers: TriggerBindings, file: string): string[] {
  if (providerName !== 'custom') return [];
  const bound = triggers['custom-email-provider'];
  return Array.isArray(bound) && bound.length === 1
    ? []
    : [`${file} selects the custom email provider, but no Action is bound to custom-email-provider: Auth0 would deliver no email.`];
}
