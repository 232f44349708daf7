/**
 * The fault matrix: for every flow and every outbound call it makes, each fault the local
 * tenant can inject (429 with Retry-After, 500, 503, a malformed body, a connection reset, a
 * hang past the budget), and the promise of the flow checked in each cell. The built Actions
 * (dist/tenant) run in the local tenant's Actions runtime; their calls to Auth0 and SendGrid go
 * through the same fault injector. The matrix is printed and written to test-output/fault-matrix.md.
 */
import { rmSync } from 'node:fs';
import { EMAIL_BUDGET_MS } from '../../actions/shared/email-budget';
import { INVITATION_SENT_FLAG } from '../../actions/shared/invitation';
import type { FaultKind, FaultRule } from '../../local-tenant/faults';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';
import { ACTION_FLOWS, FLOW_BOUND_MS, type ActionFlow, type FlowRun } from './action-flows';
import { buildBundle, freshTenant, runDeploy, summaryProblems, writesOf } from './deploy-flow';
import { LOCAL_CLIENTS, LOCAL_SENDGRID_KEY } from '../../local-tenant/local-stack';
import { FAULTS, HANG_MS, MatrixReport, faultRule, type CallName, type FaultOptions } from './matrix';
import {
  bulkRows,
  invitationsOf,
  resetSubject,
  runBulk,
  runReset,
  SCRIPT_ATTEMPT_MS,
  SCRIPT_ROUTES,
  scriptContext,
  SHORT_HANG_MS,
  usersOf,
  type BulkRun,
  type ScriptContext,
} from './script-flows';

jest.setTimeout(60_000);

const report = new MatrixReport();
let stack: InstalledStack;

afterEach(() => stack?.tenant.faults.clear());

afterAll(() => {
  report.write('fault-matrix.md', 'Fault matrix', [
    `Flows run by the built Actions (dist/tenant) in the local tenant; faults injected by its FaultInjector on the Auth0 routes and the SendGrid stand-in.`,
    `Each fault hits the next call of its route once. 429 carries Retry-After: 30. A hang lasts ${HANG_MS / 1000} s unless the caller gives up.`,
    `Bound for a login or a user creation: ${FLOW_BOUND_MS / 1000} s (the Actions' ${EMAIL_BUDGET_MS / 1000} s email budget + 1 s); Auth0's trigger limit is 20 s.`,
    `"next login" is the same user logging in again once the fault is gone, then once more: exactly one email in all, flag set once.`,
    `Scripts (bulk invitation, password reset) run in process against the local tenant over HTTPS, with the settings of environments/local.json; their governor gives each Management API attempt ${SCRIPT_ATTEMPT_MS / 1000} s, so a hang there is past its budget. Their token request (30 s budget) and SendGrid send (10 min budget) cannot be held past budget in test time: those hangs last ${SHORT_HANG_MS / 1000} s, then the stand-in answers 504 ("hang ${SHORT_HANG_MS / 1000} s" in the table). 429 there says Retry-After: 1; the scripts' tenant has Auth0's Enterprise rate limits (burst 50, 16/s), which that 429 announces.`,
    `"run 2" is the same CSV run again (same journal) once the fault is gone: every row must then be done, each user created once and invited once. Direct mode runs with the post-user-registration Action bound: it must leave the script's users (app_metadata.invited_by: admin-script) alone.`,
    `Deploy: \`deploy()\` of deploy/deploy.ts (what \`npm run deploy\` runs) with the real auth0-deploy-cli into a fresh local tenant per cell. A refusal must come before any write and say so; a failed import's summary must list as applied exactly the resource types the tenant accepted a write for.`,
  ]);
});

/** One local tenant for a block of cells; the test's own SDK gets its token at once, so an armed token fault only meets a flow's request. */
function useStack(secrets: Record<string, string>): void {
  beforeAll(async () => {
    stack = await startInstalledStack({ secrets });
    await stack.client.management.users.list({ per_page: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });
}

interface Cell {
  flow: ActionFlow;
  call: CallName;
  fault: FaultKind;
}

const cells: Cell[] = ACTION_FLOWS.flatMap((flow) => flow.calls.flatMap((call) => FAULTS.map((fault) => ({ flow, call, fault }))));

function reasonOf(run: FlowRun): string {
  const lines = run.logs.filter((l) => /_(failed|sent|skipped|not_recorded)\b|\binvited\b/.test(l));
  return (lines.length > 0 ? lines : [run.logs[0] ?? '(no log)']).map((l) => l.replace(/^\S+ user=\S+ /, '')).join('; ');
}

/** Promises every cell keeps, whatever the flow. */
function commonViolations(flow: ActionFlow, run: FlowRun): string[] {
  const violations: string[] = [];
  if (!run.allowed) violations.push(`${flow.trigger === 'post-login' ? 'login denied' : 'user creation failed'} (${run.status})`);
  if (run.elapsedMs > FLOW_BOUND_MS) violations.push(`held ${run.elapsedMs} ms > ${FLOW_BOUND_MS} ms`);
  if (run.runtimeErrors.length > 0) violations.push(`runtime: ${run.runtimeErrors.join(', ')}`);
  if (run.emails.length > 1) violations.push(`${run.emails.length} emails`);
  return violations;
}

describe('Actions', () => {
  // Every user of `members` is invited too, so that change_password mode flags the user first
  // (token, users, change_password); `shared-inbox` invites by ticket.
  useStack({ INVITE_CONNECTIONS: 'members,shared-inbox:ticket' });

  describe.each(ACTION_FLOWS.map((flow) => [flow.name, flow] as const))('%s', (_name, flow) => {
    it.each(cells.filter((c) => c.flow === flow).map((c) => [c.call, c.fault, c] as const))('%s x %s', async (_call, _fault, cell) => {
      const { call, fault } = cell;
      const id = `${flow.name}-${call}-${fault}`.replace(/[^a-z0-9]+/gi, '-');
      stack.runtime.evictCaches(); // a fresh token request in every cell
      const subject = await flow.arrange(stack, id);
      stack.tenant.faults.add(faultRule(call, fault));
      let unconsumed: FaultRule[] = [];
      const run = await flow.act(stack, subject).finally(() => (unconsumed = stack.tenant.faults.list()));
      stack.tenant.faults.clear(); // also ends a hang nobody gave up on
      // A fault the flow never met would make the cell pass for nothing.
      if (unconsumed.length > 0) throw new Error(`the flow never made the ${call} call: ${JSON.stringify(unconsumed)}`);

      const violations = commonViolations(flow, run);
      const accepted = run.emails.length === 1;
      // Auth0's /dbconnections/change_password answers 200 with a text body the Action never reads: a
      // "malformed" 200 is an accepted request to Auth0 (the stand-in short-circuits it, so nothing arrives).
      const acceptedUnseen = call === 'change_password' && fault === 'malformed';
      let outcome: string;

      if (flow.flag !== undefined) {
        const flagged = run.appMetadata[flow.flag] === true;
        if (flagged !== accepted) violations.push(`flag ${flagged ? 'set' : 'unset'} with ${run.emails.length} email(s)`);
        outcome = `${accepted ? 'sent' : 'no email'}, ${flagged ? 'flag' : 'no flag'} (${reasonOf(run)})`;
        // The fault is gone: the next login sends it, once; the one after sends nothing.
        const next = await flow.act(stack, subject);
        const after = await flow.act(stack, subject);
        violations.push(...commonViolations(flow, next).map((v) => `next login: ${v}`));
        if (after.emails.length !== 1) violations.push(`after two more logins: ${after.emails.length} emails`);
        if (after.appMetadata[flow.flag] !== true) violations.push('after two more logins: no flag');
        outcome += ` -> next login: ${next.emails.length - run.emails.length === 1 ? 'sent' : `${next.emails.length - run.emails.length} sent`}, then none (${after.emails.length} in all)`;
      } else {
        const invited = run.logs.some((l) => / invited mode=/.test(l));
        if (invited !== (accepted || acceptedUnseen)) {
          violations.push(`logged ${invited ? 'invited' : 'not invited'} with ${run.emails.length} email(s)`);
        }
        // The record the bulk invitation trusts: set if and only if the email was accepted.
        const recorded = run.appMetadata[INVITATION_SENT_FLAG] === true;
        if (recorded !== (accepted || acceptedUnseen))
          violations.push(`record ${recorded ? 'set' : 'unset'} with ${run.emails.length} email(s)`);
        if (flow.name.includes('change_password')) {
          // Auth0 words its Change Password email as an invitation only while app_metadata.invite is true.
          const reset = run.emails.filter((e) => !/invited/i.test(e.subject));
          if (reset.length > 0) violations.push(`an invitee got "${reset[0]?.subject}"`);
        }
        const record = recorded ? 'recorded' : 'not recorded';
        outcome = acceptedUnseen
          ? `Auth0 answered 200: counted as sent, ${record} (${reasonOf(run)}); no retry (Auth0 does not re-run the trigger)`
          : `${accepted ? 'sent' : 'no email'}, ${record} (${reasonOf(run)}); no retry (Auth0 does not re-run the trigger)`;
      }

      report.add({ flow: flow.name, call, fault, outcome, violations, elapsedMs: run.elapsedMs });
      expect(violations).toEqual([]);
    });
  });
});

/** Arms one fault, runs `act`, clears the fault, and fails when the fault was never met. */
async function withFault<T>(call: CallName, fault: FaultKind, options: FaultOptions, act: () => Promise<T>): Promise<T> {
  stack.runtime.evictCaches();
  stack.tenant.faults.add(faultRule(call, fault, options));
  let unconsumed: FaultRule[] = [];
  const result = await act().finally(() => (unconsumed = stack.tenant.faults.list()));
  stack.tenant.faults.clear();
  if (unconsumed.length > 0) throw new Error(`the flow never made the ${call} call: ${JSON.stringify(unconsumed)}`);
  return result;
}

/**
 * Cells that fail because of a gap found by this matrix and reported, not fixed here (it lies in
 * another part of the project): they run as `it.failing`, so they turn red the day the gap is
 * closed, and the report shows them as known failures.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {};

function knownGap(flow: string, call: CallName, fault: FaultKind): string | undefined {
  return KNOWN_GAPS[`${flow}|${call}|${fault}`] ?? KNOWN_GAPS[`${flow}|${call}`];
}

/** The calls the post-user-registration Action makes while a script creates users (Action mode). */
const ACTION_SIDE: ReadonlySet<CallName> = new Set(['change_password', 'tickets', 'sendgrid']);

/** Script calls: which route, and how long a hang lasts (past the governor's attempt budget, or a short one). */
function scriptFault(call: CallName, fault: FaultKind, actionSide = false): { options: FaultOptions; label: string } {
  if (actionSide) return { options: {}, label: fault === '429' ? '429 (Retry-After 30)' : fault };
  const shortHang = fault === 'hang' && (call === 'token' || call === 'sendgrid');
  return {
    options: {
      retryAfter: 1,
      ...(SCRIPT_ROUTES[call] !== undefined ? { route: SCRIPT_ROUTES[call] } : {}),
      ...(shortHang ? { hangMs: SHORT_HANG_MS } : {}),
    },
    label: shortHang ? `hang ${SHORT_HANG_MS / 1000} s` : fault,
  };
}

function bulkOutcome(run: BulkRun): string {
  if (run.summary === undefined) return `error: ${run.error ?? '?'}`;
  const s = run.summary;
  const reasons = [...new Set(run.rows.filter((r) => r.status === 'failed').map((r) => r.reason))].join(',');
  return `${s.processed}/${s.rows} rows: ${s.created} created, ${s.invited} invited, ${s.failed} failed${reasons ? ` (${reasons})` : ''}`;
}

const BULK_FLOWS = [
  {
    name: 'bulk invitation (direct)',
    mode: 'direct' as const,
    calls: ['token', 'connections', 'users', 'tickets', 'sendgrid'] as CallName[],
  },
  // In Action mode the script creates the users; the post-user-registration Action invites them.
  {
    name: 'bulk invitation (action)',
    mode: 'action' as const,
    calls: ['token', 'connections', 'users', 'change_password', 'tickets', 'sendgrid'] as CallName[],
  },
];

describe('administrator scripts', () => {
  useStack({});
  let scripts: ScriptContext;
  beforeAll(() => {
    scripts = scriptContext(stack);
    // Auth0's rate limits of an Enterprise tenant; an injected 429 announces this limit, as Auth0's own does.
    stack.tenant.faults.setRateLimitTier('enterprise');
  });

  describe.each(BULK_FLOWS.map((flow) => [flow.name, flow] as const))('%s', (_name, flow) => {
    // Direct mode runs with the invitation Action bound: the users it creates say the script invites them
    // (app_metadata.invited_by), and "invited once" checks that the Action stays out.
    for (const [call, fault] of flow.calls.flatMap((c) => FAULTS.map((f) => [c, f] as const))) {
      const known = knownGap(flow.name, call, fault);
      (known === undefined ? it : it.failing)(`${call} x ${fault}`, async () => {
        const actionSide = flow.mode === 'action' && ACTION_SIDE.has(call);
        const { options, label } = scriptFault(call, fault, actionSide);
        const rows = bulkRows(scripts, `${flow.mode}-${call}-${fault}`);
        const first = await withFault(call, fault, options, () => runBulk(scripts, rows, flow.mode, 1));
        const second = await runBulk(scripts, rows, flow.mode, 2);

        const violations: string[] = [];
        // No row lost: the faulty run reports every row, once.
        const lines = first.rows.map((r) => r.line);
        if (first.summary === undefined) violations.push(`run 1 threw: ${first.error}`);
        if (new Set(lines).size !== lines.length || lines.length !== rows.lines)
          violations.push(`run 1 reported ${lines.length} of ${rows.lines} rows`);
        if (second.summary === undefined) violations.push(`run 2 threw: ${second.error}`);
        else if (second.summary.failed > 0 || second.summary.processed !== rows.lines) violations.push(`run 2: ${bulkOutcome(second)}`);
        // Each user created once and invited once, over both runs.
        // The console names rows by line and user id, never by address.
        for (const line of [...first.log, ...second.log]) if (/@/.test(line)) violations.push(`console line with an address: ${line}`);
        let acceptedUnseen = 0;
        for (const person of rows.people) {
          const who = person.username ?? person.email.replace(/@.*/, '');
          const users = usersOf(stack, person);
          const invitations = invitationsOf(stack, person).length;
          if (users !== 1) violations.push(`${who}: ${users} users`);
          // Auth0 answered 200 to change_password (a malformed body the Action never reads): sent, as far as anyone can tell.
          const userId = stack.tenant.store.data.users.find((u) => u.email === person.email && u.username === person.username)?.user_id;
          const unseen =
            invitations === 0 &&
            call === 'change_password' &&
            fault === 'malformed' &&
            stack.actionLogs().some((l) => l.includes(`user=${userId} invited mode=change_password`));
          if (unseen) acceptedUnseen += 1;
          else if (invitations !== 1) violations.push(`${who}: ${invitations} invitations`);
          // Action mode: every invitation recorded in the end, by the Action or by run 2 that sent it in its stead.
          const recorded = stack.tenant.store.data.users.find((u) => u.user_id === userId)?.app_metadata[INVITATION_SENT_FLAG] === true;
          if (flow.mode === 'action' && !recorded) violations.push(`${who}: no invitation record after run 2`);
        }
        const outcome =
          `run 1: ${bulkOutcome(first)} -> run 2: ${bulkOutcome(second)}` +
          (acceptedUnseen > 0 ? ` (${acceptedUnseen} accepted by Auth0 with a malformed answer, not delivered by the stand-in)` : '');
        report.add({ flow: flow.name, call, fault: label, outcome, violations, elapsedMs: first.elapsedMs, ...(known ? { known } : {}) });
        expect(violations).toEqual([]);
      });
    }
  });

  describe('password reset to a secondary email', () => {
    const calls: CallName[] = ['token', 'users', 'tickets', 'sendgrid'];
    for (const [call, fault] of calls.flatMap((c) => FAULTS.map((f) => [c, f] as const))) {
      const known = knownGap('password reset (secondary email)', call, fault);
      (known === undefined ? it : it.failing)(`${call} x ${fault}`, async () => {
        const { options, label } = scriptFault(call, fault);
        const subject = await resetSubject(scripts, `${call}-${fault}`);
        const first = await withFault(call, fault, { ...options, ...(call === 'users' ? { route: 'GET /api/v2/users' } : {}) }, () =>
          runReset(scripts, subject),
        );
        const violations: string[] = [];
        const sentFirst = stack.emailsTo(subject.secondary).length;
        // Succeeded if and only if the email went out, once; failed with a message that says why.
        if (first.result !== undefined && sentFirst !== 1) violations.push(`reported sent, ${sentFirst} emails`);
        if (first.result === undefined && sentFirst !== 0) violations.push(`reported failed, ${sentFirst} emails`);
        // The user exists: a failure must say what failed, not that there is no such user.
        if (first.result === undefined && /^No user/.test(first.error ?? ''))
          violations.push(`says the user does not exist: ${first.error}`);
        let outcome = first.result !== undefined ? 'sent (retried within the run)' : `error "${first.error}"`;
        if (first.result === undefined) {
          // The administrator runs it again once the fault is gone: one email in all.
          const second = await runReset(scripts, subject);
          const total = stack.emailsTo(subject.secondary).length;
          if (second.result === undefined) violations.push(`run 2 failed: ${second.error}`);
          if (total !== 1) violations.push(`${total} emails after run 2`);
          outcome += ` -> run 2: ${second.result !== undefined ? 'sent' : 'failed'} (${total} in all)`;
        }
        if (stack.emailsTo(subject.primary).length > 0) violations.push('an email went to the login address');
        report.add({
          flow: 'password reset (secondary email)',
          call,
          fault: label,
          outcome,
          violations,
          elapsedMs: first.elapsedMs,
          ...(known ? { known } : {}),
        });
        expect(violations).toEqual([]);
      });
    }
  });
});

describe('deploy', () => {
  let bundleDir: string;
  beforeAll(async () => {
    bundleDir = await buildBundle();
  });
  afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

  /**
   * The deploy's token (its read-only checks come first; its client does not retry a token
   * request), and one fault in the import itself: a reset of a trigger binding, after actions,
   * connections and templates were written. A hang of the token lasts 2 s, then 504 (its client's
   * budget is 30 s). Each import costs deploy-cli ~35 s (~50 s when it fails: the tenant is read back), so the other import-stage faults are not
   * in the matrix (see docs/testing.md).
   */
  const DEPLOY_CELLS: readonly { call: CallName | 'bindings'; fault: FaultKind; label: string; route: string; hangMs?: number }[] = [
    ...FAULTS.map((fault) => ({
      call: 'token' as const,
      fault,
      label: fault === 'hang' ? 'hang 2 s' : fault,
      route: 'POST /oauth/token',
      ...(fault === 'hang' ? { hangMs: 2_000 } : {}),
    })),
    { call: 'bindings', fault: 'reset', label: 'reset', route: 'PATCH /api/v2/actions/triggers/*/bindings' },
  ];
  const DEPLOY_GAPS: Readonly<Record<string, string>> = {};

  for (const cell of DEPLOY_CELLS) {
    const known = DEPLOY_GAPS[`${cell.call}|${cell.fault}`];
    (known === undefined ? it : it.failing)(
      `${cell.call} x ${cell.label}`,
      async () => {
        const tenant = await freshTenant();
        try {
          tenant.faults.add({
            route: cell.route,
            kind: cell.fault,
            times: 1,
            retryAfter: 1,
            ...(cell.hangMs ? { hangMs: cell.hangMs } : {}),
          });
          const run = await runDeploy(tenant, bundleDir);
          const unconsumed = tenant.faults.list();
          tenant.faults.clear();
          const violations: string[] = [];
          if (unconsumed.length > 0) violations.push(`the deploy never made the ${cell.call} call`);
          const writes = writesOf(run.requests).filter((r) => r.status >= 200 && r.status < 300);
          // What the deploy prints (deploy-cli's output included) names no secret.
          for (const secret of [LOCAL_CLIENTS.actions.client_secret, LOCAL_CLIENTS.admin.client_secret, LOCAL_SENDGRID_KEY])
            if (run.message.includes(secret)) violations.push('a secret in the message');
          let outcome: string;
          switch (run.outcome) {
            case 'refused':
              // Refused before deploy-cli: the tenant received no writing request, and the message says so.
              if (writes.length > 0) violations.push(`refused after ${writes.length} writes`);
              if (!/nothing was written/.test(run.message)) violations.push('the refusal does not say nothing was written');
              outcome = `refused, nothing written: "${run.message.split('\n').slice(1, 2).join('').trim().slice(0, 120)}"`;
              break;
            case 'failed':
              violations.push(...summaryProblems(run.summary!, run.requests));
              outcome = `import failed after ${writes.length} accepted writes; summary: ${['created', 'changed', 'resent', 'untouched']
                .map((k) => `${k} ${(run.summary![k as 'created'] ?? []).length}`)
                .join(', ')}`;
              break;
            case 'deployed':
              violations.push(...summaryProblems(run.summary!, run.requests));
              outcome = 'deployed (the faulty answer was retried)';
              break;
            default:
              violations.push(`unexpected error: ${run.message.slice(0, 200)}`);
              outcome = 'error';
          }
          report.add({
            flow: 'deploy',
            call: cell.call,
            fault: cell.label,
            outcome,
            violations,
            elapsedMs: run.elapsedMs,
            ...(known ? { known } : {}),
          });
          expect(violations).toEqual([]);
        } finally {
          await tenant.stop();
        }
      },
      120_000,
    );
  }
});
