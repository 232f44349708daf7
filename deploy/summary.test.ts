import type { BundleResource, TriggerBinding } from './bundle-inventory';
import { planFromDryRun, withTriggerBindingsFact, type DryRunRow } from './plan';
import { formatSummary, parseImportLog, summarizeDeploy } from './summary';

const inventory: BundleResource[] = [
  { type: 'actions', name: 'verify-and-welcome' },
  { type: 'clients', name: 'Email Flows App' },
  { type: 'emailTemplates', name: 'reset_email' },
  { type: 'triggers', name: 'post-user-registration' },
  { type: 'triggers', name: 'post-login' },
  { type: 'tenant', name: 'tenant' },
];

const bundleTriggers: Record<string, TriggerBinding[]> = {
  'post-user-registration': [{ action_name: 'invite-on-registration', display_name: 'invite-on-registration' }],
  'post-login': [{ action_name: 'verify-and-welcome', display_name: 'verify-and-welcome' }],
};

/** deploy-cli's dry run against a fresh tenant: the Action and template are new, the rest differs. */
const rowsBefore: DryRunRow[] = [
  { type: 'actions', status: 'CREATE', name: 'verify-and-welcome' },
  { type: 'clients', status: 'UPDATE', name: 'Email Flows App' },
  { type: 'emailTemplates', status: 'CREATE', name: 'reset_email' },
  { type: 'tenant', status: 'UPDATE', name: 'tenant settings' },
  // One row for every trigger: deploy-cli compares the bindings as one object.
  { type: 'triggers', status: 'UPDATE', name: 'unnamed resource' },
];
const planBefore = withTriggerBindingsFact(planFromDryRun(rowsBefore, inventory), bundleTriggers, {});

/**
 * What deploy-cli printed when the PATCH of post-user-registration's bindings was reset and
 * post-login's was accepted: no line for post-login (its Promise.all had already failed).
 */
const failedImportOutput = [
  '2026-11-21T05:43:58.584Z - info: Updated [clients]: {"name":"Email Flows App","client_id":"local-email-flows-app"}',
  '2026-11-21T05:43:58.609Z - info: Created [actions]: {"id":"4c79","name":"verify-and-welcome"}',
  '2026-11-21T05:43:59.605Z - info: Deployed [actions]: {"id":"4c79","name":"verify-and-welcome"}',
  '2026-11-21T05:44:03.136Z - info: Created [emailTemplates]: {"template":"reset_email","enabled":true}',
  '2026-11-21T05:44:05.149Z - error: Problem running command import during stage processChanges when processing type triggers',
  '2026-11-21T05:44:05.149Z - error: fetch failed',
].join('\n');

/** The tenant read back after that failure: post-login now holds the bundle's binding; the tenant settings were never reached. */
const rowsAfter: DryRunRow[] = [
  { type: 'tenant', status: 'UPDATE', name: 'tenant settings' },
  { type: 'triggers', status: 'UPDATE', name: 'unnamed resource' },
];
const planAfter = withTriggerBindingsFact(planFromDryRun(rowsAfter, inventory), bundleTriggers, {
  'post-login': [{ action_name: 'verify-and-welcome', display_name: 'verify-and-welcome' }],
  'post-user-registration': [],
});

const names = (resources: readonly BundleResource[]) => resources.map((r) => `${r.type} ${r.name}`);

test('each trigger is planned on its own, from its bindings in the tenant (the dry run has one row for all)', () => {
  expect(names(planBefore.items.filter((i) => i.change === 'update'))).toEqual([
    'clients Email Flows App',
    'triggers post-user-registration',
    'triggers post-login',
    'tenant tenant',
  ]);
  expect(planAfter.items.find((i) => i.name === 'post-login')?.change).toBe('unchanged');
  expect(planAfter.items.find((i) => i.name === 'post-user-registration')?.change).toBe('update');
  // Same actions in the same order and same display names; another order is a change.
  const twoBindings = { 'post-login': [{ action_name: 'a' }, { action_name: 'b' }] };
  const plan = planFromDryRun([], [{ type: 'triggers', name: 'post-login' }]);
  expect(withTriggerBindingsFact(plan, twoBindings, { 'post-login': [{ action_name: 'a' }, { action_name: 'b' }] }).items[0]?.change).toBe(
    'unchanged',
  );
  expect(withTriggerBindingsFact(plan, twoBindings, { 'post-login': [{ action_name: 'b' }, { action_name: 'a' }] }).items[0]?.change).toBe(
    'update',
  );
});

test('a failed import with one of two trigger bindings written: the written trigger is changed, the other not applied, from the tenant read back', () => {
  const log = parseImportLog(failedImportOutput);
  expect(log.some((entry) => entry.type === 'triggers')).toBe(false);
  const summary = summarizeDeploy(planBefore, log, { after: planAfter });
  expect(names(summary.created)).toEqual(['actions verify-and-welcome', 'emailTemplates reset_email']);
  expect(names(summary.changed)).toEqual(['clients Email Flows App', 'triggers post-login']);
  expect(summary.resent).toEqual([]);
  expect(names(summary.untouched)).toEqual(['triggers post-user-registration', 'tenant tenant']);
  const text = formatSummary(summary, 'Applied before the failure:');
  expect(text).toContain('  updated (changed)    clients Email Flows App, triggers post-login\n');
  expect(text).toContain('  not applied          triggers post-user-registration, tenant\n');
  expect(text).toContain('Read back from the tenant after the failure');
});

test("the tenant's state counts without any log line; a log line counts where the tenant cannot show the write", () => {
  // Nothing logged at all: what the tenant shows is still reported as applied.
  const silent = summarizeDeploy(planBefore, [], { after: planAfter });
  expect(names(silent.created)).toEqual(['actions verify-and-welcome', 'emailTemplates reset_email']);
  expect(names(silent.changed)).toEqual(['clients Email Flows App', 'triggers post-login']);
  // A resource that did not differ looks the same whether sent again or not: only deploy-cli's line says it was.
  const unchangedClient = {
    ...planBefore,
    items: planBefore.items.map((i) => (i.type === 'clients' ? { ...i, change: 'unchanged' as const } : i)),
  };
  expect(names(summarizeDeploy(unchangedClient, parseImportLog(failedImportOutput), { after: planAfter }).resent)).toEqual([
    'clients Email Flows App',
  ]);
  expect(names(summarizeDeploy(unchangedClient, [], { after: planAfter }).untouched)).toContain('clients Email Flows App');
});

test('when the tenant cannot be read back after the failure, the summary rests on the log and says so', () => {
  const summary = summarizeDeploy(planBefore, parseImportLog(failedImportOutput), { readBackError: 'fetch failed' });
  expect(names(summary.changed)).toEqual(['clients Email Flows App']);
  expect(names(summary.untouched)).toEqual(['triggers post-user-registration', 'triggers post-login', 'tenant tenant']);
  expect(formatSummary(summary, 'Applied before the failure:')).toContain(
    'The tenant could not be read back after the failure (fetch failed)',
  );
});

test('a completed import applied every resource of the bundle, logged or not', () => {
  const summary = summarizeDeploy(planBefore, [], { completed: true });
  expect(names(summary.created)).toEqual(['actions verify-and-welcome', 'emailTemplates reset_email']);
  expect(names(summary.changed)).toEqual([
    'clients Email Flows App',
    'triggers post-user-registration',
    'triggers post-login',
    'tenant tenant',
  ]);
  expect(summary.untouched).toEqual([]);
});
