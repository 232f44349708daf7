/**
 * What the parts of the fault matrix share (test/faults/*.fault-matrix.test.ts): one local tenant
 * per block of cells, arming one fault at a time, and the report each part writes. The matrix is
 * split by flow so that jest runs its parts side by side.
 */
import { FLOW_BOUND_MS, type ActionFlow, type FlowRun } from './action-flows';
import type { FaultKind, FaultRule } from '../../local-tenant/faults';
import { startInstalledStack, type InstalledStack } from '../support/installed-stack';
import { faultRule, MatrixReport, type CallName, type FaultOptions } from './matrix';
import { EMAIL_BUDGET_MS } from '../../actions/shared/email-budget';
import { HANG_MS } from './matrix';
import { SCRIPT_ATTEMPT_MS, SCRIPT_ROUTES, SHORT_HANG_MS, type BulkRun } from './script-flows';

export const NOTES = {
  actions: [
    `Flows run by the built Actions (dist/tenant) in the local tenant; faults injected by its FaultInjector on the Auth0 routes and the SendGrid stand-in.`,
    `Each fault hits the next call of its route once. 429 carries Retry-After: 30. A hang lasts ${HANG_MS / 1000} s unless the caller gives up.`,
    `Bound for a login, or for the post-user-registration run of a user creation: ${FLOW_BOUND_MS / 1000} s (the Actions' ${EMAIL_BUDGET_MS / 1000} s email budget + 1 s); Auth0's trigger limit is 20 s.`,
    `"next login" is the same user logging in again once the fault is gone, then once more: exactly one email in all, flag set once.`,
  ],
  bulkInvite: [
    `Each fault hits the next call of its route once. 429 carries Retry-After: 30. A hang lasts ${HANG_MS / 1000} s unless the caller gives up.`,
    `Scripts (bulk invitation, password reset) run in process against the local tenant over HTTPS, with the settings of environments/local.json; their governor gives each Management API attempt ${SCRIPT_ATTEMPT_MS / 1000} s, so a hang there is past its budget. Their token request (30 s budget) and SendGrid send (10 min budget) cannot be held past budget in test time: those hangs last ${SHORT_HANG_MS / 1000} s, then the stand-in answers 504 ("hang ${SHORT_HANG_MS / 1000} s" in the table). 429 there says Retry-After: 1; the scripts' tenant has Auth0's Enterprise rate limits (burst 50, 16/s), which that 429 announces.`,
    `"run 2" is the same CSV run again (same journal) once the fault is gone: every row must then be done, each user created once and invited once. Direct mode runs with the post-user-registration Action bound: it must leave the script's users (app_metadata.invited_by: admin-script) alone.`,
  ],
  passwordReset: [
    `Each fault hits the next call of its route once. 429 carries Retry-After: 30. A hang lasts ${HANG_MS / 1000} s unless the caller gives up.`,
    `Scripts (bulk invitation, password reset) run in process against the local tenant over HTTPS, with the settings of environments/local.json; their governor gives each Management API attempt ${SCRIPT_ATTEMPT_MS / 1000} s, so a hang there is past its budget. Their token request (30 s budget) and SendGrid send (10 min budget) cannot be held past budget in test time: those hangs last ${SHORT_HANG_MS / 1000} s, then the stand-in answers 504 ("hang ${SHORT_HANG_MS / 1000} s" in the table). 429 there says Retry-After: 1; the scripts' tenant has Auth0's Enterprise rate limits (burst 50, 16/s), which that 429 announces.`,
  ],
  deploy: [
    `Deploy: \`deploy()\` of deploy/deploy.ts (what \`npm run deploy\` runs) with the real auth0-deploy-cli into a fresh local tenant per cell. A refusal must come before any write and say so; a failed import's summary must list as applied exactly the resource types the tenant accepted a write for.`,
  ],
};

/** A report for one part of the matrix, written to test-output/fault-matrix-<part>.md after its cells. */
export function matrixReport(part: keyof typeof NOTES, title: string, file: string = part): MatrixReport {
  const report = new MatrixReport();
  afterAll(() => report.write(`fault-matrix-${file}.md`, `Fault matrix: ${title}`, NOTES[part]));
  return report;
}

/** One local tenant for a block of cells; the test's own SDK gets its token at once, so an armed token fault only meets a flow's request. */
export function useStack(secrets: Record<string, string>): () => InstalledStack {
  let stack: InstalledStack | undefined;
  beforeAll(async () => {
    stack = await startInstalledStack({ secrets });
    await stack.client.management.users.list({ per_page: 1 });
  });
  afterEach(() => stack?.tenant.faults.clear());
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (stack === undefined) throw new Error('the local tenant of this block did not start');
    return stack;
  };
}

export function reasonOf(run: FlowRun): string {
  const lines = run.logs.filter((l) => /_(failed|sent|skipped|not_recorded)\b|\binvited\b/.test(l));
  return (lines.length > 0 ? lines : [run.logs[0] ?? '(no log)']).map((l) => l.replace(/^\S+ user=\S+ /, '')).join('; ');
}

/** Promises every cell keeps, whatever the flow. */
export function commonViolations(flow: ActionFlow, run: FlowRun): string[] {
  const violations: string[] = [];
  if (!run.allowed) violations.push(`${flow.trigger === 'post-login' ? 'login denied' : 'user creation failed'} (${run.status})`);
  if (run.elapsedMs > FLOW_BOUND_MS) violations.push(`held ${run.elapsedMs} ms > ${FLOW_BOUND_MS} ms`);
  if (run.runtimeErrors.length > 0) violations.push(`runtime: ${run.runtimeErrors.join(', ')}`);
  if (run.emails.length > 1) violations.push(`${run.emails.length} emails`);
  return violations;
}

/** Arms one fault, runs `act`, clears the fault, and fails when the fault was never met. */
export async function withFault<T>(
  stack: InstalledStack,
  call: CallName,
  fault: FaultKind,
  options: FaultOptions,
  act: () => Promise<T>,
): Promise<T> {
  stack.runtime.evictCaches();
  stack.tenant.faults.add(faultRule(call, fault, options));
  let unconsumed: FaultRule[] = [];
  const result = await act().finally(() => (unconsumed = stack.tenant.faults.list()));
  stack.tenant.faults.clear();
  if (unconsumed.length > 0) throw new Error(`the flow never made the ${call} call: ${JSON.stringify(unconsumed)}`);
  return result;
}

/** Script calls: which route, and how long a hang lasts (past the governor's attempt budget, or a short one). */
export function scriptFault(call: CallName, fault: FaultKind, actionSide = false): { options: FaultOptions; label: string } {
  if (actionSide) return { options: {}, label: fault === '429' ? '429 (Retry-After 30)' : fault };
  const shortHang = fault === 'hang' && (call === 'token' || call === 'sendgrid');
  return {
    options: {
      retryAfter: 1,
      route: SCRIPT_ROUTES[call],
      ...(shortHang ? { hangMs: SHORT_HANG_MS } : {}),
    },
    label: shortHang ? `hang ${SHORT_HANG_MS / 1000} s` : fault,
  };
}

export function bulkOutcome(run: BulkRun): string {
  if (run.summary === undefined) return `error: ${run.error ?? '?'}`;
  const s = run.summary;
  const reasons = [...new Set(run.rows.filter((r) => r.status === 'failed').map((r) => r.reason))].join(',');
  return `${s.processed}/${s.rows} rows: ${s.created} created, ${s.invited} invited, ${s.failed} failed${reasons ? ` (${reasons})` : ''}`;
}
