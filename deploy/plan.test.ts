import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleDeployedActions } from './bundle-inventory';
import { formatPlan, hasChanges, parseDryRunTable, planFromDryRun, withEmailProviderFact } from './plan';
import { formatSummary, parseImportLog, summarizeDeploy } from './summary';
import type { BundleResource } from './bundle-inventory';

const ESC = '\u001b';
/** deploy-cli 8.44's dry-run output (colors and spinner included), as printed against a tenant deployed before. */
const DRY_RUN_WITH_CHANGES = [
  `${ESC}[?25l│`,
  `◒  Calculating dry run changes for actions${ESC}[1G${ESC}[J◐  Calculating dry run changes for triggers`,
  `${ESC}[1G${ESC}[J◇  Done`,
  '',
  `${ESC}[1mAuth0 Deploy CLI - Dry Run Preview`,
  '',
  `${ESC}[22m${ESC}[1mTenant:${ESC}[22m localhost:35617`,
  'Simulating deployment... The following changes are proposed:',
  '',
  '┌───────────────┬──────────┬───────────────────────────┐',
  `│ ${ESC}[1mResource     ${ESC}[22m │ ${ESC}[1mStatus  ${ESC}[22m │ ${ESC}[1mName / Identifier        ${ESC}[22m │`,
  '├───────────────┼──────────┼───────────────────────────┤',
  `│ Actions       │ ${ESC}[33mUPDATE  ${ESC}[39m │ invite-on-registration    │`,
  `│               │ ${ESC}[32mCREATE  ${ESC}[39m │ verify-and-welcome        │`,
  `│ Clients       │ ${ESC}[31mDELETE${ESC}[39m${ESC}[2m *${ESC}[22m │ Deploy CLI                │`,
  `│ Databases     │ ${ESC}[31mDELETE${ESC}[39m${ESC}[2m *${ESC}[22m │ Username-Password-Authentication │`,
  `│ Tenant        │ ${ESC}[33mUPDATE  ${ESC}[39m │ tenant settings           │`,
  `│ Triggers      │ ${ESC}[33mUPDATE  ${ESC}[39m │ unnamed resource          │`,
  '└───────────────┴──────────┴───────────────────────────┘',
  '',
  `${ESC}[2m* Requires AUTH0_ALLOW_DELETE to be enabled${ESC}[22m`,
  '',
  `${ESC}[32mDry Run completed successfully.${ESC}[39m`,
].join('\n');

const NO_CHANGES = `Auth0 Deploy CLI - Dry Run Preview\n\nSimulating deployment... The following changes are proposed:\n\n${ESC}[2mNo changes detected.${ESC}[22m\n\n${ESC}[32mDry Run completed successfully.${ESC}[39m\n`;

const inventory: BundleResource[] = [
  { type: 'actions', name: 'invite-on-registration' },
  { type: 'actions', name: 'verify-and-welcome' },
  { type: 'clients', name: 'Email Flows App' },
  { type: 'databases', name: 'members' },
  { type: 'emailTemplates', name: 'reset_email' },
  { type: 'emailProvider', name: 'emailProvider' },
  { type: 'triggers', name: 'post-login' },
  { type: 'tenant', name: 'tenant' },
];

test("deploy-cli's dry-run table becomes create / update / unchanged per resource of the bundle, and left alone for the tenant's others", () => {
  const { rows, completed } = parseDryRunTable(DRY_RUN_WITH_CHANGES);
  expect(completed).toBe(true);
  expect(rows).toEqual([
    { type: 'actions', status: 'UPDATE', name: 'invite-on-registration' },
    { type: 'actions', status: 'CREATE', name: 'verify-and-welcome' },
    { type: 'clients', status: 'DELETE', name: 'Deploy CLI' },
    { type: 'databases', status: 'DELETE', name: 'Username-Password-Authentication' },
    { type: 'tenant', status: 'UPDATE', name: 'tenant settings' },
    { type: 'triggers', status: 'UPDATE', name: 'unnamed resource' },
  ]);
  const plan = planFromDryRun(rows, inventory);
  expect(plan.items.map((i) => `${i.change} ${i.type} ${i.name}`)).toEqual([
    'update actions invite-on-registration',
    'create actions verify-and-welcome',
    'unchanged clients Email Flows App',
    'unchanged databases members',
    'unchanged emailTemplates reset_email',
    'unchanged emailProvider emailProvider',
    'update triggers post-login',
    'update tenant tenant',
  ]);
  expect(plan.leftAlone).toEqual([
    { type: 'clients', name: 'Deploy CLI' },
    { type: 'databases', name: 'Username-Password-Authentication' },
  ]);
  expect(hasChanges(plan)).toBe(true);
  const text = formatPlan(plan, 'Plan:');
  expect(text).toContain('  create     actions        verify-and-welcome');
  expect(text).toContain('  left alone databases      Username-Password-Authentication');
  expect(text).toContain('1 to create, 3 to update, 4 unchanged, 2 left alone');
});

test('"No changes detected." is a plan with nothing to change', () => {
  const { rows, completed } = parseDryRunTable(NO_CHANGES);
  expect(completed).toBe(true);
  const plan = planFromDryRun(rows, inventory);
  expect(hasChanges(plan)).toBe(false);
  expect(formatPlan(plan, 'Plan:')).toContain('Nothing to change: 8 unchanged, 0 left alone');
});

test('even with nothing to change, the plan says how many Action versions the deploy creates: one per deployed Action', () => {
  const bundle = mkdtempSync(join(tmpdir(), 'plan-bundle-'));
  mkdirSync(join(bundle, 'actions'));
  const action = (name: string, deployed: boolean) =>
    writeFileSync(join(bundle, 'actions', `${name}.json`), JSON.stringify({ name, code: `./actions/${name}/code.js`, deployed }));
  action('invite-on-registration', true);
  action('verify-and-welcome', true);
  action('draft-only', false);
  const deployed = bundleDeployedActions(bundle);
  expect(deployed).toEqual(['invite-on-registration', 'verify-and-welcome']);
  const plan = { ...planFromDryRun(parseDryRunTable(NO_CHANGES).rows, inventory), actionVersions: deployed };
  const text = formatPlan(plan, 'Plan:');
  expect(text).toContain('Nothing to change: 8 unchanged');
  expect(text).toContain(
    'Action versions this deploy creates: 2, one per Action (invite-on-registration, verify-and-welcome), changed or not',
  );
  expect(text).toContain('Auth0 keeps the last 50 versions of each.');
});

test('an output without the completion line is not a plan', () => {
  expect(parseDryRunTable('Error: Schema validation failed loading').completed).toBe(false);
});

test('a row that matches nothing in the bundle makes the plan count as a change (never hidden)', () => {
  const plan = planFromDryRun([{ type: 'organizations', status: 'CREATE', name: 'acme' }], inventory);
  expect(plan.unmatched).toEqual(['organizations CREATE acme']);
  expect(hasChanges(plan)).toBe(true);
});

test("a tenant without an email provider gets one created (deploy-cli's dry run says nothing of it)", () => {
  const plan = withEmailProviderFact(planFromDryRun([], inventory), false);
  expect(plan.items.find((i) => i.type === 'emailProvider')?.change).toBe('create');
  expect(withEmailProviderFact(planFromDryRun([], inventory), true).items.find((i) => i.type === 'emailProvider')?.change).toBe(
    'unchanged',
  );
});

test("the summary tells created, changed and re-sent resources apart, from deploy-cli's log and the plan, without its values", () => {
  const log = parseImportLog(
    [
      `2026-11-21T03:09:04.299Z - ${ESC}[32minfo${ESC}[39m: Updated [clients]: {"name":"Email Flows App","client_id":"abc"}`,
      '2026-11-21T03:09:04.333Z - info: Updated [actions]: {"id":"5a57","name":"invite-on-registration"}',
      '2026-11-21T03:09:04.333Z - info: Created [actions]: {"id":"5a58","name":"verify-and-welcome"}',
      '2026-11-21T03:09:05.329Z - info: Deployed [actions]: {"id":"5a58","name":"verify-and-welcome"}',
      '2026-11-21T03:09:10.928Z - info: Updated [triggers]: {"trigger_id":"post-login"}',
      '2026-11-21T03:09:10.931Z - info: Updated [tenant]: {"friendly_name":"Acme","support_email":"support@example.com"}',
      '2026-11-21T03:09:10.931Z - info: Import Successful',
    ].join('\n'),
  );
  expect(log).toEqual([
    { verb: 'Updated', type: 'clients', name: 'Email Flows App' },
    { verb: 'Updated', type: 'actions', name: 'invite-on-registration' },
    { verb: 'Created', type: 'actions', name: 'verify-and-welcome' },
    { verb: 'Deployed', type: 'actions', name: 'verify-and-welcome' },
    { verb: 'Updated', type: 'triggers', name: 'post-login' },
    { verb: 'Updated', type: 'tenant', name: 'tenant' },
  ]);
  const plan = planFromDryRun(parseDryRunTable(DRY_RUN_WITH_CHANGES).rows, inventory);
  const summary = summarizeDeploy(plan, log);
  expect(summary.created).toEqual([{ type: 'actions', name: 'verify-and-welcome' }]);
  expect(summary.changed).toEqual([
    { type: 'actions', name: 'invite-on-registration' },
    { type: 'triggers', name: 'post-login' },
    { type: 'tenant', name: 'tenant' },
  ]);
  expect(summary.resent).toEqual([{ type: 'clients', name: 'Email Flows App' }]);
  expect(summary.untouched.map((r) => r.name)).toEqual(['members', 'reset_email', 'emailProvider']);
  const text = formatSummary(summary, 'Deployed:');
  expect(text).toContain('created              actions verify-and-welcome');
  expect(text).toContain('left alone           clients Deploy CLI, databases Username-Password-Authentication');
  expect(text).not.toContain('support@example.com');
});
