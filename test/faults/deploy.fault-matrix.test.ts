/**
 * The fault matrix, deploy part: `deploy()` of deploy/deploy.ts (what `npm run deploy` runs)
 * with the real auth0-deploy-cli into a fresh local tenant per cell, under faults of its token
 * request and of one write of the import. Written to test-output/fault-matrix-deploy.md.
 */
import { rmSync } from 'node:fs';
import type { FaultKind } from '../../local-tenant/faults';
import { LOCAL_CLIENTS, LOCAL_SENDGRID_KEY } from '../../local-tenant/local-stack';
import { buildBundle, freshTenant, runDeploy, summaryProblems, writesOf } from './deploy-flow';
import { FAULTS, type CallName } from './matrix';
import { matrixReport } from './matrix-suite';

jest.setTimeout(60_000);

const report = matrixReport('deploy', 'the deploy');

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
   * budget is 30 s). The other import-stage faults are not in the matrix (see docs/testing.md).
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

  for (const cell of DEPLOY_CELLS) {
    it(`${cell.call} x ${cell.label}`, async () => {
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
        });
        expect(violations).toEqual([]);
      } finally {
        await tenant.stop();
      }
    }, 120_000);
  }
});
