/**
 * The fault matrix, password reset part: `npm run reset-password`'s library sending a reset to a
 * secondary email, each of its calls under each fault, then run again where it failed. Written to
 * test-output/fault-matrix-password-reset.md.
 */
import { FAULTS, type CallName } from './matrix';
import { matrixReport, scriptFault, useStack, withFault } from './matrix-suite';
import { resetSubject, runReset, scriptContext, type ScriptContext } from './script-flows';

jest.setTimeout(60_000);

const report = matrixReport('passwordReset', 'the password reset to a secondary email');

describe('administrator scripts', () => {
  const current = useStack({});
  let scripts: ScriptContext;
  beforeAll(() => {
    scripts = scriptContext(current());
    // Auth0's rate limits of an Enterprise tenant; an injected 429 announces this limit, as Auth0's own does.
    current().tenant.faults.setRateLimitTier('enterprise');
  });

  describe('password reset to a secondary email', () => {
    const calls: CallName[] = ['token', 'users', 'tickets', 'sendgrid'];
    for (const [call, fault] of calls.flatMap((c) => FAULTS.map((f) => [c, f] as const))) {
      it(`${call} x ${fault}`, async () => {
        const stack = current();
        const { options, label } = scriptFault(call, fault);
        const subject = await resetSubject(scripts, `${call}-${fault}`);
        const first = await withFault(stack, call, fault, { ...options, ...(call === 'users' ? { route: 'GET /api/v2/users' } : {}) }, () =>
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
        });
        expect(violations).toEqual([]);
      });
    }
  });
});
