import { randomBytes } from 'node:crypto';
import { nowIso, type TenantStore } from './store';
import type { TicketKind, TicketRecord, UserRecord } from './types';

/** Auth0: `ttl_sec` 0 or unset means 5 days. */
const DEFAULT_TICKET_TTL_SECONDS = 432000;

interface NewTicket {
  kind: TicketKind;
  user_id: string;
  ttl_sec?: number;
  result_url?: string;
  client_id?: string;
  mark_email_as_verified?: boolean;
  include_email_in_redirect?: boolean;
  from_emailed_link?: boolean;
}

export function createTicket(store: TenantStore, input: NewTicket): TicketRecord {
  const now = Date.now();
  const ttl = input.ttl_sec && input.ttl_sec > 0 ? input.ttl_sec : DEFAULT_TICKET_TTL_SECONDS;
  const ticket: TicketRecord = {
    id: randomBytes(24).toString('base64url'),
    kind: input.kind,
    user_id: input.user_id,
    mark_email_as_verified: input.mark_email_as_verified ?? false,
    include_email_in_redirect: input.include_email_in_redirect ?? false,
    from_emailed_link: input.from_emailed_link ?? false,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + ttl * 1000).toISOString(),
  };
  if (input.result_url !== undefined) ticket.result_url = input.result_url;
  if (input.client_id !== undefined) ticket.client_id = input.client_id;
  return store.add('tickets', ticket);
}

/**
 * The link as Auth0 shapes it, ending with `#` (Auth0's ticket URLs do; callers append
 * their own fragment parameters after it). Served by the local pages.
 */
export function ticketUrl(publicUrl: string, ticket: TicketRecord): string {
  const path = ticket.kind === 'password-change' ? '/lo/reset' : '/u/email-verification';
  return `${publicUrl}${path}?ticket=${encodeURIComponent(ticket.id)}#`;
}

export type TicketLookup =
  { ok: true; ticket: TicketRecord } | { ok: false; reason: 'unknown' | 'expired' | 'used'; ticket?: TicketRecord };

export function findUsableTicket(store: TenantStore, kind: TicketKind, id: string | undefined): TicketLookup {
  const ticket = id ? store.data.tickets.find((t) => t.id === id && t.kind === kind) : undefined;
  if (!ticket) return { ok: false, reason: 'unknown' };
  if (ticket.used_at) return { ok: false, reason: 'used', ticket };
  if (Date.parse(ticket.expires_at) <= Date.now()) return { ok: false, reason: 'expired', ticket };
  return { ok: true, ticket };
}

/**
 * The ticket spent on the change it allowed (a password set, an email verified): Auth0's tickets
 * are single-use. Persisted with that change to the user, which the caller has made.
 */
export function redeemTicket(store: TenantStore, ticket: TicketRecord, user: UserRecord): void {
  ticket.used_at = nowIso();
  store.userChanged(user);
}
