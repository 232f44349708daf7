import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DatabaseConnectionConfig {
  name: string;
  strategy?: string;
  /** Auth0 connection metadata (string values); `managed_by` marks the connections this project deploys. */
  metadata?: Record<string, string>;
  options?: {
    disable_signup?: boolean;
    /** Auth0's legacy identifier settings; deploy-cli drops `attributes` on update when they are given. */
    requires_username?: boolean;
    validation?: unknown;
    attributes?: {
      email?: { unique?: boolean; identifier?: { active?: boolean } };
      username?: { identifier?: { active?: boolean } };
    };
  };
}

/** The database connections of a deploy-cli directory (`database-connections/<name>/database.json`). */
export function readDatabaseConnections(tenantDir: string): DatabaseConnectionConfig[] {
  const dir = join(tenantDir, 'database-connections');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const file = join(dir, entry.name, 'database.json');
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as DatabaseConnectionConfig;
      } catch (error) {
        throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
      }
    });
}

/** Auth0's flexible identifiers: `attributes.email.unique === false` lets several users share an email. */
export function hasNonUniqueEmails(connection: DatabaseConnectionConfig): boolean {
  return connection.options?.attributes?.email?.unique === false;
}
