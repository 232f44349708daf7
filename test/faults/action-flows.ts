import { EMAIL_BUDGET_MS } from '../../actions/shared/email-budget';
import { LOCAL_APP } from '../../local-tenant/local-stack';
import type { OutboxEmail } from '../../local-tenant/mail';
import type { InstalledStack } from '../support/installed-stack';
import type { CallName } from './matrix';

/**
 * The flows the Actions run, as the fault matrix drives them through the local tenant: the
 * invitation in both modes (post-user-registration, on user creation through the Management
 * API), and verification and welcome (post-login, on a password login).
 */

/**
 * How long a login (or a user creation) may take under any fault: the Actions' 5 s email budget,
 * plus 1 s for everything around it (loading the SDKs on a cold instance, the password check,
 * the trigger's bookkeeping). Auth0's own limit for the whole trigger is 20 s.
 */
export const FLOW_BOUND_MS = EMAIL_BUDGET_MS + 1_000;

const PASSWORD = 'correct-horse-battery-9';

export interface Subject {
  /** Unknown until the user is created (the flow that creates it sets it). */
  userId?: string | undefined;
  email: string;
  connection: string;
  /** What the login form takes: the email, or the username on the shared-inbox connection. */
  identifier: string;
}

export interface FlowRun {
  /** The login was let through / the user creation succeeded. */
  allowed: boolean;
  status: number;
  /** How long the login took; for a user creation, how long its post-user-registration run took. */
  elapsedMs: number;
  emails: OutboxEmail[];
  /** The user's app_metadata after the run. */
  appMetadata: Record<string, unknown>;
  /** The Action's log lines about this user, this run only. */
  logs: string[];
  /** Errors or time-outs the Actions runtime recorded for this run. */
  runtimeErrors: string[];
}

export interface ActionFlow {
  name: string;
  trigger: 'post-login' | 'post-user-registration';
  /** The outbound calls of this flow, in order: only these get faults. */
  calls: CallName[];
  /** The call whose success means the email was accepted. */
  acceptingCall: CallName;
  /** app_metadata flag set when the email was accepted (login flows). */
  flag?: string;
  arrange(stack: InstalledStack, id: string): Promise<Subject>;
  act(stack: InstalledStack, subject: Subject): Promise<FlowRun>;
}

let counter = 0;
const address = (id: string) => `fm-${id}-${++counter}@example.com`;

/**
 * What a run did. Its time is the wall time since `started` (a login: the user waits for it), or
 * for a `trigger` run the Actions' own time: the 201 of a user creation does not wait for its
 * post-user-registration, so the bound holds that run, not the creation's answer or the tenant's
 * delay before the trigger starts.
 */
function observe(
  stack: InstalledStack,
  subject: Subject,
  started: number | 'trigger',
  executionsBefore: number,
  allowed: boolean,
  status: number,
): FlowRun {
  const user = subject.userId === undefined ? undefined : stack.tenant.store.findUser(subject.userId);
  const executions = stack.tenant.store.data.action_executions.slice(executionsBefore);
  const elapsedMs =
    started === 'trigger' ? executions.reduce((sum, e) => sum + e.results.reduce((s, r) => s + r.duration_ms, 0), 0) : Date.now() - started;
  return {
    allowed,
    status,
    elapsedMs,
    emails: stack.emailsTo(subject.email),
    appMetadata: structuredClone(user?.app_metadata ?? {}),
    logs: executions.flatMap((e) => e.results.flatMap((r) => r.logs)).filter((line) => line.includes(`user=${subject.userId} `)),
    runtimeErrors: executions.flatMap((e) => [
      ...(e.status === 'partial' ? ['execution time exceeded'] : []),
      ...e.results.flatMap((r) => (r.error === undefined ? [] : [`${r.action_name}: ${r.error}`])),
    ]),
  };
}

async function createUser(stack: InstalledStack, subject: Subject, body: Record<string, unknown>): Promise<FlowRun> {
  const before = stack.tenant.store.data.action_executions.length;
  let status = 201;
  try {
    const created = await stack.client.management.users.create({
      connection: subject.connection,
      email: subject.email,
      password: PASSWORD,
      ...body,
    });
    subject.userId = created.user_id;
  } catch (error) {
    status = (error as { statusCode?: number }).statusCode ?? 0;
  }
  // post-user-registration runs after the 201 (as on Auth0): the flow ends when it has run.
  await stack.tenant.deferred.settled();
  return observe(stack, subject, 'trigger', before, status === 201, status);
}

async function login(stack: InstalledStack, subject: Subject): Promise<FlowRun> {
  const before = stack.tenant.store.data.action_executions.length;
  const started = Date.now();
  const response = await stack.client.login(subject.connection, subject.identifier, PASSWORD, { client_id: LOCAL_APP.client_id });
  return observe(stack, subject, started, before, response.status === 200, response.status);
}

/** A user of the members connection who opted out of invitations, created before the fault is armed. */
async function existingMember(stack: InstalledStack, id: string, emailVerified: boolean): Promise<Subject> {
  const email = address(id);
  const created = await stack.client.management.users.create({
    connection: 'members',
    email,
    password: PASSWORD,
    email_verified: emailVerified,
    app_metadata: { invite: false },
  });
  // Its post-user-registration runs before the fault is armed.
  await stack.tenant.deferred.settled();
  return { userId: created.user_id, email, connection: 'members', identifier: email };
}

export const ACTION_FLOWS: readonly ActionFlow[] = [
  {
    name: 'invitation (change_password)',
    trigger: 'post-user-registration',
    // Invited because of the connection: the Action flags the user first, then asks Auth0 for its email.
    calls: ['token', 'users', 'change_password'],
    acceptingCall: 'change_password',
    arrange: (_stack, id) => {
      const email = address(id);
      return Promise.resolve({ email, connection: 'members', identifier: email });
    },
    act: (stack, subject) => createUser(stack, subject, { user_metadata: { locale: 'en' } }),
  },
  {
    name: 'invitation (ticket)',
    trigger: 'post-user-registration',
    // `users`: the record of the sent invitation (app_metadata.invitation_email_sent), after the email.
    calls: ['token', 'tickets', 'sendgrid', 'users'],
    acceptingCall: 'sendgrid',
    arrange: (_stack, id) => {
      const email = address(id);
      const username = `fm${counter}${id.replace(/[^a-z0-9]/gi, '').slice(0, 20)}`;
      return Promise.resolve({ email, connection: 'shared-inbox', identifier: username });
    },
    act: (stack, subject) => createUser(stack, subject, { username: subject.identifier }),
  },
  {
    name: 'verification',
    trigger: 'post-login',
    calls: ['token', 'tickets', 'sendgrid'],
    acceptingCall: 'sendgrid',
    flag: 'verification_email_sent',
    arrange: (stack, id) => existingMember(stack, id, false),
    act: login,
  },
  {
    name: 'welcome',
    trigger: 'post-login',
    calls: ['sendgrid'],
    acceptingCall: 'sendgrid',
    flag: 'welcome_email_sent',
    arrange: (stack, id) => existingMember(stack, id, true),
    act: login,
  },
];
