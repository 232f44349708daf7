// The GitHub Actions workflows as committed pass every check, and each check fails on a copy
// broken the way a hurried edit would break it (a misspelt key, a missing script, a tag instead of
// a SHA, a deploy job without its environment or concurrency group, a secret left out).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REPO_ROOT,
  deployJobProblems,
  environmentVariablesRead,
  isSecretName,
  npmScriptProblems,
  parseWorkflow,
  pinningProblems,
  readWorkflows,
  settingsTableProblems,
  schemaProblems,
  settingsReferenced,
  tenantEnvProblems,
  type Workflow,
} from './check-workflows';
const { CHECKS } = require('../test/support/checks-beside-jest') as { CHECKS: { script: string; nice: number }[] };

const workflows = readWorkflows();
const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

function workflow(file: string): Workflow {
  const found = workflows.find((w) => w.file === file);
  if (!found) throw new Error(`no .github/workflows/${file}`);
  return found;
}

/** A copy of a workflow with `from` replaced by `to` (which must occur, or the case would prove nothing). */
function broken(file: string, from: string | RegExp, to: string): Workflow {
  const source = workflow(file).source;
  const changed = source.replace(from, to);
  if (changed === source) throw new Error(`${file}: ${String(from)} does not occur`);
  return parseWorkflow(file, changed);
}

const stepRuns = (w: Workflow, job: string): string[] =>
  (w.jobs.find((j) => j.id === job)?.steps ?? []).flatMap((s) => (s.run ? [s.run.trim()] : []));

test('there are exactly the CI and deploy workflows', () => {
  expect(workflows.map((w) => w.file)).toEqual(['ci.yml', 'deploy.yml']);
});

describe('schema (action-validator)', () => {
  test.each(['ci.yml', 'deploy.yml'])('%s is a valid workflow', (file) => {
    expect(schemaProblems(workflow(file))).toEqual([]);
  });

  test('a misspelt job key is refused, naming the key', () => {
    const problems = schemaProblems(
      broken(
        'deploy.yml',
        'runs-on: ubuntu-24.04\n    timeout-minutes: 30\n    # Required',
        'runs_on: ubuntu-24.04\n    timeout-minutes: 30\n    # Required',
      ),
    );
    expect(problems.join('\n')).toMatch(/runs_on/);
  });

  test('an unknown trigger and a step without run or uses are refused', () => {
    expect(schemaProblems(broken('ci.yml', 'pull_request:\n', 'pull_requests:\n'))).not.toEqual([]);
    expect(
      schemaProblems(broken('ci.yml', /- name: Build, type check, lint and format, test\n(\s+#.*\n)*\s+run: npm test/, '- name: Test')),
    ).not.toEqual([]);
  });
});

describe('npm commands', () => {
  test('CI runs install, then npm test, which builds, type checks, lints and tests, each once', () => {
    expect(stepRuns(workflow('ci.yml'), 'checks').filter((run) => run.startsWith('npm'))).toEqual([
      'npm ci --no-audit --no-fund',
      'npm test',
    ]);
    // The build first (the tests read dist/), then jest with the static checks beside it at low priority.
    expect(scripts.test).toBe('npm run build && node test/support/checks-beside-jest.js');
    // The type check is ESLint's tsc/diagnostics rule (build/eslint-typescript-diagnostics.cjs): one program, not two.
    expect(scripts.check).toBe('run-p --print-label lint format:check lint:exports');
    // npm test runs the same checks beside jest, each at its own priority.
    expect(CHECKS.map((check) => check.script)).toEqual(['lint', 'format:check', 'lint:exports']);
  });

  test.each(['ci.yml', 'deploy.yml'])('every npm script %s runs exists in package.json', (file) => {
    expect(npmScriptProblems(workflow(file), scripts)).toEqual([]);
  });

  test('a script package.json does not declare is reported', () => {
    expect(npmScriptProblems(broken('ci.yml', 'run: npm test', 'run: npm run type-check'), scripts)).toEqual([
      'ci.yml job checks: "npm run type-check" runs npm script "type-check", which package.json does not declare.',
    ]);
  });

  test('a deploy to an environment without a description is reported', () => {
    expect(npmScriptProblems(broken('deploy.yml', '--env prod', '--env production'), scripts)).toEqual([
      'deploy.yml job production: "npm run deploy -- --env production" names environment "production", but environments/production.json does not exist.',
    ]);
  });

  test('an npm command the check does not know is reported rather than passed', () => {
    expect(npmScriptProblems(broken('ci.yml', 'run: npm test', 'run: npm lint'), scripts)).toEqual([
      'ci.yml job checks: "npm lint" is not an npm command this check knows.',
    ]);
  });
});

describe('pinned actions', () => {
  test.each(['ci.yml', 'deploy.yml'])('every action in %s is pinned to a commit SHA with its version', (file) => {
    expect(pinningProblems(workflow(file))).toEqual([]);
  });

  test('a tag, a short SHA, a missing version comment and a missing local workflow are reported', () => {
    expect(pinningProblems(broken('ci.yml', /actions\/setup-node@[0-9a-f]{40}/g, 'actions/setup-node@v5'))).toEqual([
      'ci.yml: "uses: actions/setup-node@v5" is not pinned to a full 40-character commit SHA.',
      'ci.yml: "uses: actions/setup-node@v5" is not pinned to a full 40-character commit SHA.',
    ]);
    expect(pinningProblems(broken('ci.yml', /(actions\/checkout@[0-9a-f]{7})[0-9a-f]{33}/g, '$1'))).toHaveLength(2);
    expect(pinningProblems(broken('ci.yml', / # v5\.1\.0/g, ''))).toHaveLength(2);
    expect(pinningProblems(broken('deploy.yml', './.github/workflows/ci.yml', './.github/workflows/tests.yml'))).toEqual([
      'deploy.yml: "uses: ./.github/workflows/tests.yml" names a file that does not exist.',
    ]);
  });
});

describe('deploy jobs', () => {
  test('staging and production deploy behind their GitHub environments, one at a time each; the PR plan reads staging', () => {
    expect(deployJobProblems(workflows)).toEqual([]);
    const deploy = workflow('deploy.yml');
    const production = deploy.jobs.find((j) => j.id === 'production');
    expect(production).toMatchObject({
      environment: 'production',
      needs: ['staging'],
      concurrency: { group: 'deploy-production', cancelInProgress: false },
    });
    expect(deploy.jobs.find((j) => j.id === 'staging')).toMatchObject({ environment: 'staging', needs: ['checks'] });
    expect(deploy.jobs.find((j) => j.id === 'checks')?.uses).toBe('./.github/workflows/ci.yml');
    expect(Object.keys(deploy.on)).toEqual(['push']);
    expect(deploy.on['push']).toEqual({ branches: ['main'] });
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'workflow_call']);
    expect(ci.jobs.find((j) => j.id === 'plan-staging')).toMatchObject({
      environment: 'staging',
      if: "github.event_name == 'pull_request'",
    });
  });

  test('the plan runs only when the staging secrets are readable, and each plan step says --plan', () => {
    const plan = workflow('ci.yml').jobs.find((j) => j.id === 'plan-staging')!;
    const guarded = plan.steps.filter((s) => s.if === "env.AUTH0_DOMAIN != '' && env.AUTH0_CLIENT_SECRET != ''");
    expect(guarded.length).toBe(plan.steps.length - 1);
    expect(plan.steps.flatMap((s) => (s.run?.includes('npm run deploy') ? [s.run] : []))).toEqual([
      'npm run deploy -- --env staging --plan',
    ]);
  });

  test('production without its environment, a deploy without a group, a cancelling group and a shared group are reported', () => {
    expect(deployJobProblems([broken('deploy.yml', '    environment: production\n', '')])).toEqual([
      'deploy.yml job production: runs "npm run deploy -- --env prod" but its environment is not set; it must be "production".',
    ]);
    expect(deployJobProblems([broken('deploy.yml', /concurrency:\n\s+group: deploy-staging\n\s+cancel-in-progress: false\n/, '')])).toEqual(
      ['deploy.yml job staging: deploys without a concurrency group, so two deploys of staging could overlap.'],
    );
    expect(deployJobProblems([broken('deploy.yml', /(group: deploy-production\n\s+cancel-in-progress:) false/, '$1 true')])).toEqual([
      'deploy.yml job production: its concurrency group must set cancel-in-progress: false, so a deploy is never cut off half-way.',
    ]);
    expect(deployJobProblems([broken('deploy.yml', 'group: deploy-production', 'group: deploy-staging')])).toEqual([
      'deploy.yml job production: concurrency group "deploy-staging" is shared with staging\'s deploy.',
    ]);
    expect(deployJobProblems([broken('ci.yml', '    environment: staging\n', '')])).toEqual([
      'ci.yml job plan-staging: runs "npm run deploy -- --env staging" but its environment is not set; it must be "staging".',
    ]);
  });
});

describe('secrets and variables', () => {
  test('each deploy and plan job passes exactly what its environment description reads, secrets as secrets', () => {
    expect(tenantEnvProblems(workflows)).toEqual([]);
    // Not vacuous: both descriptions read credentials, and the jobs pass them.
    for (const env of ['staging', 'prod']) {
      const read = [...environmentVariablesRead(env)];
      expect(read.filter(isSecretName).length).toBeGreaterThanOrEqual(2);
      expect(read).toContain('AUTH0_DOMAIN');
    }
  });

  test('a variable left out, one too many, and a secret passed as a variable are reported', () => {
    expect(tenantEnvProblems([broken('ci.yml', /\n\s+MAIL_FROM: \$\{\{ vars\.MAIL_FROM \}\}/, '')])).toEqual([
      'ci.yml job plan-staging: environments/staging.json reads MAIL_FROM, which the job does not pass.',
    ]);
    expect(
      tenantEnvProblems([broken('ci.yml', 'MAIL_FROM: ${{ vars.MAIL_FROM }}', 'MAIL_FROM: ${{ vars.MAIL_FROM }}\n      MAIL_TO: x')]),
    ).toEqual(['ci.yml job plan-staging: passes MAIL_TO, which neither environments/staging.json reads nor .env.example documents.']);
    // The anchor in deploy.yml carries the change to both deploy jobs.
    expect(tenantEnvProblems([broken('deploy.yml', '${{ secrets.SENDGRID_API_KEY }}', '${{ vars.SENDGRID_API_KEY }}')])).toEqual([
      'deploy.yml job staging: SENDGRID_API_KEY must be "${{ secrets.SENDGRID_API_KEY }}", not "${{ vars.SENDGRID_API_KEY }}".',
      'deploy.yml job production: SENDGRID_API_KEY must be "${{ secrets.SENDGRID_API_KEY }}", not "${{ vars.SENDGRID_API_KEY }}".',
    ]);
  });

  test('docs/deploying.md lists every secret and variable the workflows read, and no other', () => {
    expect(settingsTableProblems(workflows, readFileSync(join(REPO_ROOT, 'docs', 'deploying.md'), 'utf8'))).toEqual([]);
  });

  test('a table that misses a secret, lists it as a variable, or lists a stale name is reported', () => {
    const table = (rows: string[]) =>
      `# X\n\n### GitHub secrets and variables\n\n| Name | Kind |\n| --- | --- |\n${rows.join('\n')}\n\n## Next\n`;
    const ci = workflow('ci.yml');
    const { secrets, vars } = settingsReferenced(ci);
    const rows = [...[...secrets].map((name) => `| \`${name}\` | secret |`), ...[...vars].map((name) => `| \`${name}\` | variable |`)];
    expect(rows.length).toBeGreaterThan(20);
    expect(settingsTableProblems([ci], table(rows))).toEqual([]);
    expect(settingsTableProblems([ci], table(rows.filter((r) => !r.includes('SENDGRID_API_KEY'))))).toEqual([
      'The workflows read the secret SENDGRID_API_KEY, which the "GitHub secrets and variables" table of docs/deploying.md does not list.',
    ]);
    expect(
      settingsTableProblems([ci], table(rows.map((r) => r.replace('`SENDGRID_API_KEY` | secret', '`SENDGRID_API_KEY` | variable')))),
    ).toEqual(['docs/deploying.md lists SENDGRID_API_KEY as a variable, but the workflows read it as a secret.']);
    expect(settingsTableProblems([ci], table([...rows, '| `OLD_NAME` | secret |']))).toEqual([
      'docs/deploying.md lists OLD_NAME, which no workflow reads.',
    ]);
    expect(() => settingsTableProblems([ci], '# A page without the table\n')).toThrow(
      'docs/deploying.md has no "GitHub secrets and variables" section.',
    );
  });
});
