/**
 * The fault matrix, Actions part: for every flow of the built Actions (dist/tenant, run in the
 * local tenant's Actions runtime) and every outbound call it makes, each fault the local tenant
 * can inject (429 with Retry-After, 500, 503, a malformed body, a connection reset, a hang past
 * the budget), and the flow's promise checked in each cell. Written to test-output/fault-matrix-actions-<trigger>.md; the
 * user creation's flows and the login's run as two suites, side by side.
 */
import { INVITATION_SENT_FLAG } from '../../actions/shared/invitation';
import type { FaultKind, FaultRule } from '../../local-tenant/faults';
import { ACTION_FLOWS, type ActionFlow } from './action-flows';
import { FAULTS, faultRule, type CallName } from './matrix';
import { commonViolations, matrixReport, reasonOf, useStack } from './matrix-suite';

interface Cell {
  flow: ActionFlow;
  call: CallName;
  fault: FaultKind;
}

/** The cells of the flows one trigger runs (the user creation's, or the login's), in a tenant of their own. */
export function actionsMatrix(trigger: ActionFlow['trigger']): void {
  jest.setTimeout(60_000);
  const report = matrixReport('actions', `the Actions (${trigger})`, `actions-${trigger}`);
  const flows = ACTION_FLOWS.filter((flow) => flow.trigger === trigger);
  const cells: Cell[] = flows.flatMap((flow) => flow.calls.flatMap((call) => FAULTS.map((fault) => ({ flow, call, fault }))));
  describe('Actions', () => {
    // Every user of `members` is invited too, so that change_password mode flags the user first
    // (token, users, change_password); `shared-inbox` invites by ticket.
    const current = useStack({ INVITE_CONNECTIONS: 'members,shared-inbox:ticket' });

    describe.each(flows.map((flow) => [flow.name, flow] as const))('%s', (_name, flow) => {
      it.each(cells.filter((c) => c.flow === flow).map((c) => [c.call, c.fault, c] as const))('%s x %s', async (_call, _fault, cell) => {
        const { call, fault } = cell;
        const stack = current();
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
}
