import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readDatabaseConnections } from '../build/tenant-connections';
import { replaceKeywords } from './placeholder-guard';

/**
 * What a deploy-cli directory holds, by deploy-cli resource type (the names its dry-run table
 * and its import log use). Singletons (tenant settings, email provider, trigger bindings) have
 * one entry named after the type.
 */
export interface BundleResource {
  type: string;
  name: string;
}

/** deploy-cli types that are one object per tenant, not a list matched by name. */
export const SINGLETON_TYPES = new Set(['tenant', 'emailProvider', 'triggers']);

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
  if (existsSync(join(bundleDir, 'triggers', 'triggers.json'))) resources.push({ type: 'triggers', name: 'triggers' });
  if (existsSync(join(bundleDir, 'tenant.json'))) resources.push({ type: 'tenant', name: 'tenant' });
  return resources;
}
