import type { Secrets } from '../shared/auth0-actions';
import {
  collect,
  readDomain,
  readMail,
  readManagement,
  readSecret,
  readTemplateOverrides,
  readTtl,
  readUrl,
  type ManagementCredentials,
  type MailSettings,
  type Needed,
  type TemplateOverrides,
} from '../shared/settings';
import type { TicketReturn } from '../shared/management-api';

/** invite-on-registration's secrets (the shared ones through ../shared/settings). */

export type InviteMode = 'change_password' | 'ticket';
const INVITE_MODES: readonly InviteMode[] = ['change_password', 'ticket'];

export const DEFAULT_INVITE_TTL_SEC = 604_800; // 7 days

/**
 * How long the link of Auth0's change-password email lives: the reset template's
 * `urlLifetimeInSeconds` (tenant/emails/reset_email.json; a test keeps the two equal). Auth0 does
 * not tell the Action, so the invitation's record takes it from here.
 */
export const CHANGE_PASSWORD_LINK_TTL_SEC = 432_000;

export interface InviteSettings {
  /** Connections whose every user is invited, each with its own mode when one is given. */
  connections: ReadonlyMap<string, InviteMode | undefined>;
  defaultMode: InviteMode;
  changePassword: Needed<{ domain: string; clientId: string }>;
  management: Needed<ManagementCredentials>;
  ticket: Needed<TicketReturn & { ttlSec: number; appName: string | undefined; templateId: string }>;
  mail: Needed<MailSettings>;
  templates: TemplateOverrides;
  /** Invalid values that were replaced by a default; logged so the operator can fix them. */
  problems: string[];
}

function readInviteMode(raw: string | undefined, problems: string[], name: string): InviteMode | undefined {
  if (raw === undefined) return undefined;
  if ((INVITE_MODES as readonly string[]).includes(raw)) return raw as InviteMode;
  problems.push(`${name} invalid`);
  return undefined;
}

/**
 * `INVITE_CONNECTIONS`: comma-separated connection names, each optionally `name:mode`, e.g.
 * `members,shared-inbox:ticket`. Auth0 connection names cannot contain `:`, so the suffix is
 * unambiguous; it lets a tenant invite through change_password on one connection and through
 * tickets on a connection with non-unique emails, where change_password cannot work.
 */
export function parseInviteConnections(raw: string | undefined, problems: string[]): Map<string, InviteMode | undefined> {
  const connections = new Map<string, InviteMode | undefined>();
  if (raw === undefined) return connections;
  for (const entry of raw.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const [name = '', mode] = trimmed.split(':').map((part) => part.trim());
    if (name === '') {
      problems.push('INVITE_CONNECTIONS invalid');
      continue;
    }
    connections.set(name, readInviteMode(mode, problems, 'INVITE_CONNECTIONS'));
  }
  return connections;
}

export function readInviteSettings(secrets: Secrets): InviteSettings {
  const problems: string[] = [];
  const management = readManagement(secrets, problems);
  const clientId = readSecret(secrets, 'INVITE_CLIENT_ID');
  const resultUrl = readUrl(secrets, 'INVITE_RESULT_URL', problems);
  const templateId = readSecret(secrets, 'INVITE_TEMPLATE_ID');
  const ttlSec = readTtl(secrets, 'INVITE_TTL_SEC', DEFAULT_INVITE_TTL_SEC, problems);
  const appName = readSecret(secrets, 'INVITE_APP_NAME');

  // Auth0's ticket takes a client_id (its login route) or a result_url: one of them is needed.
  const ticket: InviteSettings['ticket'] = collect(
    { INVITE_TEMPLATE_ID: templateId, 'INVITE_CLIENT_ID or INVITE_RESULT_URL': clientId ?? resultUrl },
    (v) => ({ ...(clientId !== undefined ? { clientId } : { resultUrl: resultUrl! }), ttlSec, appName, templateId: v.INVITE_TEMPLATE_ID! }),
  );

  return {
    connections: parseInviteConnections(readSecret(secrets, 'INVITE_CONNECTIONS'), problems),
    defaultMode: readInviteMode(readSecret(secrets, 'INVITE_MODE'), problems, 'INVITE_MODE') ?? 'change_password',
    // Its problem, if any, is reported once, by readManagement.
    changePassword: collect({ AUTH0_DOMAIN: readDomain(secrets, []), INVITE_CLIENT_ID: clientId }, (v) => ({
      domain: v.AUTH0_DOMAIN!,
      clientId: v.INVITE_CLIENT_ID!,
    })),
    management,
    ticket,
    mail: readMail(secrets),
    templates: readTemplateOverrides(secrets, problems),
    problems,
  };
}
