import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readDatabaseConnections } from '../build/tenant-connections';
import { replaceKeywords } from './placeholder-guard';

/**
 * What a deploy-cli directory holds, by deploy-cli resource type (the names its dry-run table
 * and its import log use). Singletons (tenant settings, email provider) have one entry named
 * after the type. Trigger bindings have one entry per trigger (`triggers post-login`): deploy-cli
 * writes each trigger's bindings with a request of its own, so one can be applied and not another.
 */
export interface BundleResource {
  type: string;
  name: string;
}

/** deploy-cli types that are one object per tenant, not a list matched by name. */
export const SINGLETON_TYPES = new Set(['tenant', 'emailProvider']);

function jsonFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('.json'))
        .sort()
    : [];
}

function readJson(file: string, values: Readonly<Record<string, string | string[]>>): Record<string, unknown> {
  return JSON.parse(replaceKeywords(readFileSync(file, 'utf8'), values)) as Record<string, unknown>;
}

export function bundleInventory(bundleDir: string, values: Readonly<Record<string, string | string[]>> = {}): BundleResource[] {
  const resources: BundleResource[] = [];
  const named = (type: string, dir: string, key: string, skip: string[] = []) => {
    for (const file of jsonFiles(dir).filter((f) => !skip.includes(f))) {
      const value = readJson(join(dir, file), values)[key];
      resources.push({ type, name: typeof value === 'string' ? value : basename(file, '.json') });
    }
  };
  named('actions', join(bundleDir, 'actions'), 'name');
  named('clients', join(bundleDir, 'clients'), 'name');
  for (const connection of readDatabaseConnections(bundleDir)) resources.push({ type: 'databases', name: connection.name });
  named('emailTemplates', join(bundleDir, 'emails'), 'template', ['provider.json']);
  if (existsSync(join(bundleDir, 'emails', 'provider.json'))) resources.push({ type: 'emailProvider', name: 'emailProvider' });
  for (const trigger of Object.keys(bundleTriggerBindings(bundleDir, values))) resources.push({ type: 'triggers', name: trigger });
  if (existsSync(join(bundleDir, 'tenant.json'))) resources.push({ type: 'tenant', name: 'tenant' });
  return resources;
}

/**
 * The bundle's Actions that deploy-cli deploys on import: every one with `deployed: true`, changed
 * or not (it PATCHes every matched action and then deploys each). Each deploy is a new version
 * on the tenant (Management API reference: "An action version is created whenever an action is
 * deployed").
 */
export function bundleDeployedActions(bundleDir: string, values: Readonly<Record<string, string | string[]>> = {}): string[] {
  const dir = join(bundleDir, 'actions');
  return jsonFiles(dir).flatMap((file) => {
    const action = readJson(join(dir, file), values);
    return action['deployed'] === true && typeof action['name'] === 'string' ? [action['name']] : [];
  });
}

/** One action bound to a trigger, as `triggers/triggers.json` holds it (and as deploy-cli compares it). */
export interface TriggerBinding {
  action_name: string;
  display_name?: string;
}

/** The bundle's trigger bindings, by trigger id (`post-login`); empty without `triggers/triggers.json`. */
export function bundleTriggerBindings(
  bundleDir: string,
  values: Readonly<Record<string, string | string[]>> = {},
): Record<string, TriggerBinding[]> {
  const file = join(bundleDir, 'triggers', 'triggers.json');
  return existsSync(file) ? (readJson(file, values) as unknown as Record<string, TriggerBinding[]>) : {};
}
