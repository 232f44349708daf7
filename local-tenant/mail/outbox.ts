// The local tenant's outbox: every email that SendGrid or Auth0 "delivered", kept in memory, with
// a JSON snapshot for the server's --data persistence. No network, no Hono: see outbox-app.ts
// for the routes.
import { randomUUID } from 'node:crypto';

/** Where an email came from. */
export type EmailSource =
  | {
      kind: 'sendgrid';
      /** x-message-id of the accepted /v3/mail/send request. */
      messageId: string;
      templateId?: string;
      /** Name of the kept template (sendgrid-templates/templates.json) when the id is known. */
      templateName?: string;
      /** The personalization's dynamic_template_data, kept as sent (shown raw for unknown ids). */
      dynamicTemplateData?: Record<string, unknown>;
    }
  | {
      kind: 'auth0';
      /** Auth0 email template, e.g. reset_email, verify_email, welcome_email. */
      template: string;
    };

export interface OutboxEmail {
  id: string;
  /** ISO 8601 delivery time. */
  time: string;
  /** Recipient addresses (to only; cc and bcc are in their own lists when present). */
  to: string[];
  cc?: string[];
  bcc?: string[];
  from: string;
  fromName?: string;
  subject: string;
  html: string;
  text?: string;
  source: EmailSource;
  /** Who asked for the email: the Action's name when known. */
  sender?: string;
  /** The user the email is about, when known. */
  user_id?: string;
  categories: string[];
}

/** What a caller supplies; id and time are set by the outbox. */
export type NewOutboxEmail = Omit<OutboxEmail, 'id' | 'time' | 'categories'> & { categories?: string[] };

/** An email rendered by the Authentication API from an Auth0 template (Liquid). */
export interface Auth0TemplateEmail {
  /** Auth0 template name, e.g. reset_email. */
  template: string;
  to: string | string[];
  from: string;
  fromName?: string;
  subject: string;
  html: string;
  text?: string;
  sender?: string;
  user_id?: string;
}

export interface OutboxSnapshot {
  version: 1;
  emails: OutboxEmail[];
}

interface OutboxOptions {
  now?: () => Date;
  newId?: () => string;
}

type OutboxListener = (email: OutboxEmail | undefined) => void;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isOutboxEmail(value: unknown): value is OutboxEmail {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const source = e.source as Record<string, unknown> | null | undefined;
  const sourceOk =
    typeof source === 'object' &&
    source !== null &&
    ((source.kind === 'sendgrid' && typeof source.messageId === 'string') ||
      (source.kind === 'auth0' && typeof source.template === 'string'));
  return (
    typeof e.id === 'string' &&
    typeof e.time === 'string' &&
    isStringArray(e.to) &&
    typeof e.from === 'string' &&
    typeof e.subject === 'string' &&
    typeof e.html === 'string' &&
    isStringArray(e.categories) &&
    sourceOk
  );
}

export class Outbox {
  private emails: OutboxEmail[] = [];
  private readonly listeners = new Set<OutboxListener>();
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: OutboxOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? (() => randomUUID());
  }

  deliver(email: NewOutboxEmail): OutboxEmail {
    const stored: OutboxEmail = {
      ...structuredClone(email),
      id: this.newId(),
      time: this.now().toISOString(),
      categories: [...(email.categories ?? [])],
    };
    this.emails.push(stored);
    this.emit(stored);
    return structuredClone(stored);
  }

  /** For the Authentication API: Auth0 rendered one of its templates and sends it. */
  deliverTemplateEmail(email: Auth0TemplateEmail): OutboxEmail {
    const delivered: NewOutboxEmail = {
      to: Array.isArray(email.to) ? [...email.to] : [email.to],
      from: email.from,
      subject: email.subject,
      html: email.html,
      source: { kind: 'auth0', template: email.template },
    };
    if (email.fromName !== undefined) delivered.fromName = email.fromName;
    if (email.text !== undefined) delivered.text = email.text;
    if (email.sender !== undefined) delivered.sender = email.sender;
    if (email.user_id !== undefined) delivered.user_id = email.user_id;
    return this.deliver(delivered);
  }

  /** Emails in delivery order, optionally only those sent to one address (case-insensitive). */
  list(filter: { to?: string } = {}): OutboxEmail[] {
    const to = filter.to?.toLowerCase();
    const selected =
      to === undefined
        ? this.emails
        : this.emails.filter((e) => [...e.to, ...(e.cc ?? []), ...(e.bcc ?? [])].some((a) => a.toLowerCase() === to));
    return structuredClone(selected);
  }

  get(id: string): OutboxEmail | undefined {
    const found = this.emails.find((e) => e.id === id);
    return found === undefined ? undefined : structuredClone(found);
  }

  get size(): number {
    return this.emails.length;
  }

  clear(): void {
    this.emails = [];
    this.emit(undefined);
  }

  snapshot(): OutboxSnapshot {
    return { version: 1, emails: structuredClone(this.emails) };
  }

  /** Replaces the content with a snapshot; throws (and keeps the current content) if it is malformed. */
  restore(snapshot: unknown): void {
    if (typeof snapshot !== 'object' || snapshot === null) throw new Error('outbox snapshot: not an object');
    const s = snapshot as Record<string, unknown>;
    if (s.version !== 1 || !Array.isArray(s.emails)) throw new Error('outbox snapshot: unknown version or no emails');
    const bad = s.emails.findIndex((e) => !isOutboxEmail(e));
    if (bad !== -1) throw new Error(`outbox snapshot: malformed email at index ${bad}`);
    this.emails = structuredClone(s.emails as OutboxEmail[]);
    this.emit(undefined);
  }

  /** Called after every change (the email on delivery, undefined on clear/restore); returns an unsubscribe. */
  subscribe(listener: OutboxListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(email: OutboxEmail | undefined): void {
    for (const listener of this.listeners) listener(email === undefined ? undefined : structuredClone(email));
  }
}
