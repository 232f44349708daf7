import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { parse } from 'yaml';
import { ENVIRONMENTS_DIR, environmentNames, environmentVariables, loadEnvironment } from './environments';

/**
 * Checks of the GitHub Actions workflows in .github/workflows: the schema (action-validator),
 * that every npm command they run exists, that every action is pinned to a commit, that deploy
 * jobs run one at a time per tenant behind their GitHub environment, and that the variables and
 * secrets they pass are exactly those the environment descriptions read and docs/deploying.md lists.
 * Each check returns one message per problem; empty when all is well.
 */

export const REPO_ROOT = join(__dirname, '..');
const WORKFLOWS_DIR = join(REPO_ROOT, '.github', 'workflows');

/** The GitHub environment that holds each deployed tenant's secrets and variables. */
const GITHUB_ENVIRONMENT_OF: Readonly<Record<string, string>> = { staging: 'staging', prod: 'production' };

/** Values that must never be visible in a log or the repository settings page: GitHub secrets, not variables. */
export function isSecretName(name: string): boolean {
  return /SECRET|API_KEY|TOKEN|PASSWORD/.test(name);
}

interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
}

export interface WorkflowJob {
  id: string;
  if?: string;
  needs: string[];
  uses?: string;
  environment?: string;
  concurrency?: { group?: string; cancelInProgress?: boolean };
  env: Record<string, string>;
  steps: WorkflowStep[];
}

export interface Workflow {
  file: string;
  source: string;
  /** The events under `on:` (a string, a list or a mapping in YAML). */
  on: Record<string, unknown>;
  jobs: WorkflowJob[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function parseJob(id: string, raw: unknown, file: string): WorkflowJob {
  if (!isRecord(raw)) throw new Error(`${file}: job "${id}" is not a mapping.`);
  const needs = raw['needs'];
  const job: WorkflowJob = {
    id,
    needs: typeof needs === 'string' ? [needs] : Array.isArray(needs) ? needs.map(String) : [],
    env: {},
    steps: [],
  };
  const condition = str(raw['if']);
  if (condition !== undefined) job.if = condition;
  const uses = str(raw['uses']);
  if (uses !== undefined) job.uses = uses;
  const environment = raw['environment'];
  const environmentName = isRecord(environment) ? str(environment['name']) : str(environment);
  if (environmentName !== undefined) job.environment = environmentName;
  const concurrency = raw['concurrency'];
  if (isRecord(concurrency)) {
    job.concurrency = {};
    const group = str(concurrency['group']);
    if (group !== undefined) job.concurrency.group = group;
    if (typeof concurrency['cancel-in-progress'] === 'boolean') job.concurrency.cancelInProgress = concurrency['cancel-in-progress'];
  } else if (typeof concurrency === 'string') {
    job.concurrency = { group: concurrency };
  }
  if (isRecord(raw['env'])) {
    for (const [key, value] of Object.entries(raw['env'])) job.env[key] = String(value);
  }
  const steps = raw['steps'];
  if (Array.isArray(steps)) {
    job.steps = steps.filter(isRecord).map((step) => {
      const parsed: WorkflowStep = {};
      for (const key of ['name', 'uses', 'run', 'if'] as const) {
        const value = str(step[key]);
        if (value !== undefined) parsed[key] = value;
      }
      return parsed;
    });
  }
  return job;
}

/** Parses a workflow's YAML (aliases resolved); throws with the file name on malformed YAML. */
export function parseWorkflow(file: string, source: string): Workflow {
  let document: unknown;
  try {
    document = parse(source);
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (!isRecord(document) || !isRecord(document['jobs'])) throw new Error(`${file}: no "jobs" mapping.`);
  const on = document['on'];
  const events: Record<string, unknown> =
    typeof on === 'string'
      ? { [on]: null }
      : Array.isArray(on)
        ? Object.fromEntries(on.map((e) => [String(e), null]))
        : isRecord(on)
          ? on
          : {};
  return { file, source, on: events, jobs: Object.entries(document['jobs']).map(([id, job]) => parseJob(id, job, file)) };
}

export function readWorkflows(dir: string = WORKFLOWS_DIR): Workflow[] {
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file) => parseWorkflow(file, readFileSync(join(dir, file), 'utf8')));
}

function describeError(error: ValidationError): string[] {
  if ('states' in error && error.states && error.states.length > 0) {
    // A oneOf failure (a job is either a normal job or a reusable-workflow call): report the
    // branch with the fewest errors, which is the one the author meant.
    const closest = [...error.states].sort((a, b) => a.errors.length - b.errors.length)[0];
    if (closest) return closest.errors.flatMap(describeError);
  }
  const where = 'path' in error ? error.path || '/' : error.location ? `line ${error.location.line}` : '';
  return [`${where}: ${error.detail ?? error.title}`];
}

/** The workflow JSON schema (SchemaStore's, through action-validator). */
export function schemaProblems(workflow: Pick<Workflow, 'file' | 'source'>): string[] {
  return validateWorkflow(workflow.source).errors.flatMap((error) => describeError(error).map((message) => `${workflow.file} ${message}`));
}

/** npm's own commands that run no package.json script. */
const NPM_BUILTINS = new Set(['ci', 'install', 'i', 'audit', 'ls', 'config', 'cache', 'version', 'view', 'exec', 'pack']);
/** npm shorthands that run the package.json script of the same name. */
const NPM_SCRIPT_SHORTHANDS = new Set(['test', 't', 'start', 'stop', 'restart']);

interface NpmCommand {
  job: string;
  /** The script it runs, or undefined for an npm built-in. */
  script?: string;
  /** The arguments after `--`, passed to the script. */
  args: string[];
  text: string;
}

/** Every `npm ...` command in the jobs' `run:` steps. */
function npmCommands(workflow: Workflow): { commands: NpmCommand[]; problems: string[] } {
  const commands: NpmCommand[] = [];
  const problems: string[] = [];
  for (const job of workflow.jobs) {
    for (const step of job.steps) {
      for (const match of (step.run ?? '').matchAll(/(?:^|[\s;&|(])npm\s+([^\n;&|)]*)/g)) {
        const text = `npm ${match[1]!.trim()}`;
        const words = match[1]!.trim().split(/\s+/);
        const [command, ...rest] = words;
        const dashDash = rest.indexOf('--');
        const args = dashDash === -1 ? [] : rest.slice(dashDash + 1);
        if (command === 'run' || command === 'run-script') {
          const script = rest[0];
          if (script === undefined || script.startsWith('-')) problems.push(`${workflow.file} job ${job.id}: "${text}" names no script.`);
          else commands.push({ job: job.id, script, args, text });
        } else if (command !== undefined && NPM_SCRIPT_SHORTHANDS.has(command)) {
          commands.push({ job: job.id, script: command === 't' ? 'test' : command, args, text });
        } else if (command !== undefined && NPM_BUILTINS.has(command)) {
          commands.push({ job: job.id, args, text });
        } else {
          problems.push(`${workflow.file} job ${job.id}: "${text}" is not an npm command this check knows.`);
        }
      }
    }
  }
  return { commands, problems };
}

/** Every npm script the workflow runs exists in package.json; every `--env` names an environment file. */
export function npmScriptProblems(
  workflow: Workflow,
  scripts: Readonly<Record<string, string>>,
  environmentsDir = ENVIRONMENTS_DIR,
): string[] {
  const { commands, problems } = npmCommands(workflow);
  for (const command of commands) {
    if (command.script !== undefined && !(command.script in scripts)) {
      problems.push(
        `${workflow.file} job ${command.job}: "${command.text}" runs npm script "${command.script}", which package.json does not declare.`,
      );
    }
    const envIndex = command.args.indexOf('--env');
    const envName = envIndex === -1 ? undefined : command.args[envIndex + 1];
    if (envName !== undefined && !environmentNames(environmentsDir).includes(envName)) {
      problems.push(
        `${workflow.file} job ${command.job}: "${command.text}" names environment "${envName}", but environments/${envName}.json does not exist.`,
      );
    }
  }
  return problems;
}

/**
 * Every remote action is pinned to a full commit SHA with its version in a comment
 * (`owner/repo@<40 hex> # v1.2.3`); local ones (`./...`) exist.
 */
export function pinningProblems(workflow: Workflow, repoRoot = REPO_ROOT): string[] {
  const problems: string[] = [];
  for (const line of workflow.source.split('\n')) {
    const match = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!match) continue;
    const [, ref, rest] = match as unknown as [string, string, string];
    if (ref.startsWith('./')) {
      if (!existsSync(join(repoRoot, ref))) problems.push(`${workflow.file}: "uses: ${ref}" names a file that does not exist.`);
    } else if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref)) {
      problems.push(`${workflow.file}: "uses: ${ref}" is not pinned to a full 40-character commit SHA.`);
    } else if (!/^\s+#\s*v\d+(\.\d+)*\s*$/.test(rest)) {
      problems.push(`${workflow.file}: "uses: ${ref}" has no "# vX.Y.Z" comment naming the version the SHA stands for.`);
    }
  }
  return problems;
}

/** The tenant a job deploys to or plans against, from its `npm run deploy -- --env <name>` step. */
function deployTarget(workflow: Workflow, job: WorkflowJob): { env: string; plan: boolean } | undefined {
  const command = npmCommands({ ...workflow, jobs: [job] }).commands.find((c) => c.script === 'deploy');
  if (!command) return undefined;
  const envIndex = command.args.indexOf('--env');
  return { env: command.args[envIndex + 1] ?? '', plan: command.args.includes('--plan') };
}

/**
 * A job that deploys runs behind the GitHub environment holding its tenant's secrets, in a
 * concurrency group of its own tenant that never cancels a deploy in progress. A plan reads the
 * same environment's secrets and needs no group.
 */
export function deployJobProblems(workflows: Workflow[]): string[] {
  const problems: string[] = [];
  const groupOwner = new Map<string, string>();
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      const target = deployTarget(workflow, job);
      if (!target) continue;
      const where = `${workflow.file} job ${job.id}`;
      const expected = GITHUB_ENVIRONMENT_OF[target.env];
      if (expected === undefined) {
        problems.push(
          `${where}: deploys "${target.env}", which has no GitHub environment (known: ${Object.keys(GITHUB_ENVIRONMENT_OF).join(', ')}).`,
        );
      } else if (job.environment !== expected) {
        problems.push(
          `${where}: runs "npm run deploy -- --env ${target.env}" but its environment is ${job.environment ?? 'not set'}; it must be "${expected}".`,
        );
      }
      if (target.plan) continue;
      const group = job.concurrency?.group;
      if (!group) {
        problems.push(`${where}: deploys without a concurrency group, so two deploys of ${target.env} could overlap.`);
        continue;
      }
      if (job.concurrency?.cancelInProgress !== false) {
        problems.push(`${where}: its concurrency group must set cancel-in-progress: false, so a deploy is never cut off half-way.`);
      }
      const owner = groupOwner.get(group);
      if (owner !== undefined && owner !== target.env)
        problems.push(`${where}: concurrency group "${group}" is shared with ${owner}'s deploy.`);
      groupOwner.set(group, target.env);
    }
  }
  return problems;
}

/** Every environment variable an environment description reads (domain, deploy credentials, CA, keywords). */
export function environmentVariablesRead(envName: string, environmentsDir = ENVIRONMENTS_DIR): Set<string> {
  return new Set(environmentVariables(loadEnvironment(envName, environmentsDir)).map((use) => use.variable));
}

/** The variables `.env.example` documents (`NAME=` lines; commented-out ones are not counted). */
function documentedVariables(dotenvExample = join(REPO_ROOT, '.env.example')): Set<string> {
  return new Set([...readFileSync(dotenvExample, 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}

/** The `secrets.X` and `vars.X` a workflow reads, anywhere in it. */
export function settingsReferenced(workflow: Workflow): { secrets: Set<string>; vars: Set<string> } {
  const secrets = new Set<string>();
  const vars = new Set<string>();
  for (const match of workflow.source.matchAll(/\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    (match[1] === 'secrets' ? secrets : vars).add(match[2]!);
  }
  return { secrets, vars };
}

/**
 * A job that deploys or plans passes every environment variable its environment description
 * reads, and nothing .env.example does not document (the build's EMAIL_PROVIDER is the one
 * other), each from the GitHub secret or variable of the same name: secrets for credentials,
 * variables for the rest.
 */
export function tenantEnvProblems(workflows: Workflow[], environmentsDir = ENVIRONMENTS_DIR, documented = documentedVariables()): string[] {
  const problems: string[] = [];
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      const target = deployTarget(workflow, job);
      if (!target || !environmentNames(environmentsDir).includes(target.env)) continue;
      const where = `${workflow.file} job ${job.id}`;
      const read = environmentVariablesRead(target.env, environmentsDir);
      for (const name of read) {
        if (!(name in job.env)) problems.push(`${where}: environments/${target.env}.json reads ${name}, which the job does not pass.`);
      }
      for (const [name, value] of Object.entries(job.env)) {
        if (!read.has(name) && !documented.has(name)) {
          problems.push(`${where}: passes ${name}, which neither environments/${target.env}.json reads nor .env.example documents.`);
          continue;
        }
        const expected = `\${{ ${isSecretName(name) ? 'secrets' : 'vars'}.${name} }}`;
        if (value.trim() !== expected) problems.push(`${where}: ${name} must be "${expected}", not "${value}".`);
      }
    }
  }
  return problems;
}

/**
 * The table of GitHub secrets and variables in docs/deploying.md (section "GitHub secrets and variables"):
 * rows "| `NAME` | secret | ..." or "| `NAME` | variable | ...".
 */
function settingsTable(page: string): Map<string, 'secret' | 'variable'> {
  const start = page.search(/^#+ GitHub secrets and variables\s*$/m);
  if (start === -1) throw new Error('docs/deploying.md has no "GitHub secrets and variables" section.');
  const afterHeading = page.indexOf('\n', start) + 1;
  const next = page.slice(afterHeading).search(/^#+ /m);
  const section = next === -1 ? page.slice(afterHeading) : page.slice(afterHeading, afterHeading + next);
  const settings = new Map<string, 'secret' | 'variable'>();
  for (const match of section.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(secret|variable)\s*\|/gm)) {
    settings.set(match[1]!, match[2] as 'secret' | 'variable');
  }
  return settings;
}

/** Every secret and variable the workflows read is listed in docs/deploying.md as such, and it lists no other. */
export function settingsTableProblems(workflows: Workflow[], page: string): string[] {
  const listed = settingsTable(page);
  const used = new Map<string, 'secret' | 'variable'>();
  const problems: string[] = [];
  for (const workflow of workflows) {
    const { secrets, vars } = settingsReferenced(workflow);
    for (const name of secrets) used.set(name, 'secret');
    for (const name of vars) {
      if (used.get(name) === 'secret') problems.push(`${workflow.file}: ${name} is read both as a secret and as a variable.`);
      else used.set(name, 'variable');
    }
  }
  for (const [name, kind] of used) {
    const inTable = listed.get(name);
    if (inTable === undefined)
      problems.push(
        `The workflows read the ${kind} ${name}, which the "GitHub secrets and variables" table of docs/deploying.md does not list.`,
      );
    else if (inTable !== kind) problems.push(`docs/deploying.md lists ${name} as a ${inTable}, but the workflows read it as a ${kind}.`);
  }
  for (const name of listed.keys()) {
    if (!used.has(name)) problems.push(`docs/deploying.md lists ${name}, which no workflow reads.`);
  }
  return problems;
}
