/**
 * The fault matrix: for every flow and every outbound call it makes, each fault the local
 * tenant can inject (429 with Retry-After, 500, 503, a malformed body, a connection reset, a
 * hang past the budget), and the promise of the flow checked in each cell. The built Actions
 * (dist/tenant) run in the local tenant's Actions runtime; their calls to Auth0 and SendGrid go
 * through the same fault injector. The matrix is printed and written to test-output/fault-matrix.md.
 */
import { EMAIL_BUDGET_MS } from '../../actions/shared/email-budget';
import type { FaultKind, FaultRule } from '../../local-tenant/faults';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';
import { ACTION_FLOWS, FLOW_BOUND_MS, type ActionFlow, type FlowRun } from './action-flows';
import { FAULTS, HANG_MS, MatrixReport, faultRule, type CallName } from './matrix';

jest.setTimeout(60_000);

const report = new MatrixReport();
let stack: InstalledStack;

beforeAll(async () => {
  // Every user of `members` is invited too, so that change_password mode flags the user first
  // (token, users, change_password); `shared-inbox` invites by ticket.
  stack = await startInstalledStack({ secrets: { INVITE_CONNECTIONS: 'members,shared-inbox:ticket' } });
  // The test's own SDK gets its token now, so that an armed token fault can only meet an Action's request.
  await stack.client.management.users.list({ per_page: 1 });
});

afterEach(() => stack.tenant.faults.clear());

afterAll(async () => {
  report.write('fault-matrix.md', 'Fault matrix', [
    `Flows run by the built Actions (dist/tenant) in the local tenant; faults injected by its FaultInjector on the Auth0 routes and the SendGrid stand-in.`,
    `Each fault hits the next call of its route once. 429 carries Retry-After: 30. A hang lasts ${HANG_MS / 1000} s unless the caller gives up.`,
    `Bound for a login or a user creation: ${FLOW_BOUND_MS / 1000} s (the Actions' ${EMAIL_BUDGET_MS / 1000} s email budget + 1 s); Auth0's trigger limit is 20 s.`,
    `"next login" is the same user logging in again once the fault is gone, then once more: exactly one email in all, flag set once.`,
  ]);
  await stack?.stop();
});

interface Cell {
  flow: ActionFlow;
  call: CallName;
  fault: FaultKind;
}

const cells: Cell[] = ACTION_FLOWS.flatMap((flow) => flow.calls.flatMap((call) => FAULTS.map((fault) => ({ flow, call, fault }))));

function reasonOf(run: FlowRun): string {
  const line = run.logs.find((l) => /_(failed|sent|skipped)\b|\binvited\b/.test(l)) ?? run.logs[0] ?? '(no log)';
  return line.replace(/^\S+ user=\S+ /, '');
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
      if (flow.name.includes('change_password')) {
        // Auth0 words its Change Password email as an invitation only while app_metadata.invite is true.
        const reset = run.emails.filter((e) => !/invited/i.test(e.subject));
        if (reset.length > 0) violations.push(`an invitee got "${reset[0]?.subject}"`);
      }
      outcome = acceptedUnseen
        ? `Auth0 answered 200: counted as sent (${reasonOf(run)}); no retry (Auth0 does not re-run the trigger)`
        : `${accepted ? 'sent' : 'no email'} (${reasonOf(run)}); no retry (Auth0 does not re-run the trigger)`;
    }

    report.add({ flow: flow.name, call, fault, outcome, violations, elapsedMs: run.elapsedMs });
    expect(violations).toEqual([]);
  });
});
