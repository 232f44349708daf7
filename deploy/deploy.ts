import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  loadEnvironment,
  resolveDeployTarget,
  resolveKeywords,
  type DeployTarget,
  type EnvironmentDescription,
  type KeywordSource,
} from '../build/environments';
import { buildTenantBundle, parseEmailProviderChoice, ROOT } from '../build/tenant-bundle';
import { readDatabaseConnections } from '../build/tenant-connections';
import { measureActionBundles } from './action-bundle-check';
import { bundleConnectionProblems, connectionChangeProblems, readTenantConnections } from './connection-guards';
import { MANAGED_RESOURCE_TYPES, runDeployCli } from './deploy-cli';
import { statusOf } from '../actions/shared/request-failure';
import { deployManagementClient } from './management-client';
import { findUnfilledPlaceholders, formatUnfilledPlaceholder } from './placeholder-guard';
import { formatPlan, readTenantFacts, runPlan, withTenantFacts, type DeployPlan, type TenantFacts } from './plan';
import { looksSecret, outputRedactor, redactingLineWriter } from './redact';
import { formatSummary, parseImportLog, summarizeDeploy, type DeploySummary, type ImportEvidence } from './summary';
import { refusalAdvice, templateResultUrlProblems } from './template-result-url';
import { validateEmailTemplates } from './template-validation';

/**
 * `npm run deploy -- --env <name> [--plan]`: every check that needs no network first (the
 * build, Action sizes, every Liquid template in every branch, every placeholder), then the
 * read-only checks against the tenant (connection rules), then deploy-cli's dry run as the
 * plan, then (unless only the plan was asked for) the import and a summary. A refusal at any
 * step comes before deploy-cli's import, so the tenant has received no writing request.
 */

type DeployStage = 'environment' | 'bundle' | 'tenant' | 'plan';

/** The deploy stopped before writing anything; each cause names what to fix. */
export class DeployRefused extends Error {
  constructor(
    readonly stage: DeployStage,
    readonly causes: string[],
  ) {
    super(`Deploy refused (${stage}), nothing was written to the tenant:\n${causes.map((cause) => `  - ${cause}`).join('\n')}`);
    this.name = 'DeployRefused';
  }
}

/**
 * deploy-cli's import itself failed: part of the tenant may have been written. The summary says
 * which part, from the tenant read back after the failure.
 */
export class DeployFailed extends Error {
  constructor(
    message: string,
    readonly summary: DeploySummary,
  ) {
    super(message);
    this.name = 'DeployFailed';
  }
}

interface DeployOptions {
  /** `environments/<name>.json`. */
  environment: string;
  /** Stop after the plan. */
  planOnly?: boolean;
  root?: string;
  environmentsDir?: string;
  /** An already built deploy-cli directory. Without it, the project is built afresh into a temporary directory. */
  bundleDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Receives the report: checks, plan, summary. */
  print?: (text: string) => void;
  /** Receives deploy-cli's import output as it comes, redacted. */
  onDeployCliOutput?: (chunk: string) => void;
}

export interface DeployResult {
  environment: string;
  domain: string;
  plan: DeployPlan;
  /** After an import; absent with planOnly. */
  summary?: DeploySummary;
  timings: { checksMs: number; tenantChecksMs: number; planMs: number; importMs?: number };
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const root = options.root ?? ROOT;
  const env = options.env ?? process.env;
  const print = options.print ?? (() => {});
  const started = Date.now();

  let environment: EnvironmentDescription;
  try {
    environment = loadEnvironment(options.environment, options.environmentsDir ?? join(root, 'environments'));
  } catch (error) {
    throw new DeployRefused('environment', [(error as Error).message]);
  }
  const { target, missing } = resolveDeployTarget(environment, env, root);
  const causes = missing.map((what) => `No value for ${what}.`);
  const keywords = resolveKeywords(environment, env).values;
  if (target?.caCertPath !== undefined && !existsSync(target.caCertPath)) {
    causes.push(`The CA certificate ${target.caCertPath} does not exist (the local tenant writes it when \`npm start\` runs).`);
  }
  const redact = outputRedactor(secretValues(environment, keywords, target));

  const bundleDir = options.bundleDir ?? mkdtempSync(join(tmpdir(), 'deploy-bundle-'));
  // The bundle this deploy builds and removes afterwards; none when the caller gave one.
  const ownBundle = options.bundleDir === undefined ? bundleDir : undefined;
  try {
    if (ownBundle !== undefined) {
      try {
        // EMAIL_PROVIDER picks the tenant variant, as for `npm run build`; the environment says
        // whether its tenant accepts a template resultUrl.
        await buildTenantBundle(root, {
          outDir: ownBundle,
          emailProvider: parseEmailProviderChoice(env.EMAIL_PROVIDER),
          templateResultUrl: environment.templateResultUrl === true,
        });
      } catch (error) {
        throw new DeployRefused('bundle', [...causes, `The build failed: ${(error as Error).message}`]);
      }
    } else if (!existsSync(bundleDir)) {
      throw new DeployRefused('bundle', [...causes, `The bundle ${bundleDir} does not exist: run npm run build.`]);
    }

    // Before any request: sizes, templates, placeholders, the connections' marker.
    const sizes = measureActionBundles(bundleDir);
    const templates = await validateEmailTemplates(bundleDir, keywords);
    const unfilled = findUnfilledPlaceholders(bundleDir, keywords, environment);
    causes.push(
      ...sizes.problems,
      ...templates.problems,
      ...unfilled.map(formatUnfilledPlaceholder),
      ...templateResultUrlProblems(bundleDir, environment),
      ...bundleConnectionProblems(readDatabaseConnections(bundleDir)),
    );
    if (causes.length > 0 || target === undefined) throw new DeployRefused('bundle', causes);
    const checksMs = Date.now() - started;
    print(
      `Checked the bundle for ${environment.name} (${target.domain}): ${sizes.sizes.map((s) => `${s.name} ${s.bytes} B`).join(', ')}; ` +
        `${templates.renders} renders of ${templates.templates.length} email templates; every placeholder has a value.`,
    );

    // Read-only checks against the tenant.
    const tenantStarted = Date.now();
    const client = deployManagementClient(target);
    let tenantConnections;
    let facts: TenantFacts;
    try {
      tenantConnections = await readTenantConnections(client);
      facts = await readTenantFacts(client, bundleDir, keywords);
    } catch (error) {
      throw new DeployRefused('tenant', [`Cannot read the tenant ${target.domain}: ${redact(describeError(error))}`]);
    }
    const connectionProblems = connectionChangeProblems(readDatabaseConnections(bundleDir), tenantConnections);
    if (connectionProblems.length > 0) throw new DeployRefused('tenant', connectionProblems);
    const tenantChecksMs = Date.now() - tenantStarted;

    const planStarted = Date.now();
    const planned = await runPlan({ bundleDir, target, keywords });
    const planMs = Date.now() - planStarted;
    if (planned.exitCode !== 0) {
      throw new DeployRefused('plan', [`deploy-cli's dry run failed (exit ${planned.exitCode}):\n${redact(tail(planned.output, 25))}`]);
    }
    const plan = withTenantFacts(planned.plan, facts, bundleDir, keywords);
    print(formatPlan(plan, `Plan for ${environment.name} (${target.domain}), from deploy-cli's dry run:`));
    const timings = { checksMs, tenantChecksMs, planMs };
    if (options.planOnly === true) return { environment: environment.name, domain: target.domain, plan, timings };

    const importStarted = Date.now();
    const importOutput = redactingLineWriter(
      (text) => redact(stripVTControlCharacters(text)),
      (text) => options.onDeployCliOutput?.(text),
    );
    print(`\nDeploying to ${target.domain} with auth0-deploy-cli (${MANAGED_RESOURCE_TYPES.join(', ')} only; deletion off)...`);
    const imported = await runDeployCli({
      inputDir: bundleDir,
      domain: target.domain,
      clientId: target.clientId,
      clientSecret: target.clientSecret,
      keywords,
      caCertPath: target.caCertPath,
      onOutput: (chunk) => importOutput.write(chunk),
    });
    importOutput.end();
    const importMs = Date.now() - importStarted;
    let evidence: ImportEvidence = { completed: true };
    if (imported.exitCode !== 0) {
      // What was applied is read from the tenant, not from deploy-cli's log: it logs no line for a
      // write that succeeded while another of the same stage failed.
      print(`\ndeploy-cli's import failed (exit ${imported.exitCode}); reading the tenant back to see what was applied...`);
      evidence = await readBack({ bundleDir, target, keywords, client, redact });
    }
    const summary = summarizeDeploy(plan, parseImportLog(imported.output), evidence);
    if (imported.exitCode !== 0) summary.advice = refusalAdvice(stripVTControlCharacters(imported.output), environment);
    if (imported.exitCode !== 0) {
      throw new DeployFailed(
        `deploy-cli's import failed (exit ${imported.exitCode}); its output ends with the lines below, then what the tenant had applied.\n${redact(tail(stripVTControlCharacters(imported.output), 25))}\n\n` +
          formatSummary(summary, 'Applied before the failure:'),
        summary,
      );
    }
    print(
      formatSummary(
        summary,
        `\nDeployed ${environment.name} (${target.domain}): checks ${seconds(checksMs + tenantChecksMs)}, plan ${seconds(planMs)}, import ${seconds(importMs)}.`,
      ),
    );
    return { environment: environment.name, domain: target.domain, plan, summary, timings: { ...timings, importMs } };
  } finally {
    if (ownBundle !== undefined) rmSync(ownBundle, { recursive: true, force: true });
  }
}

/**
 * After a failed import: the tenant compared with the bundle again, exactly as for the plan
 * (deploy-cli's dry run, corrected with the deploy's own reads). Read-only, like the plan.
 */
async function readBack(options: {
  bundleDir: string;
  target: DeployTarget;
  keywords: Record<string, string | string[]>;
  client: ReturnType<typeof deployManagementClient>;
  redact: (text: string) => string;
}): Promise<ImportEvidence> {
  const { bundleDir, keywords } = options;
  try {
    const again = await runPlan({ bundleDir, target: options.target, keywords });
    if (again.exitCode !== 0) return { readBackError: `deploy-cli's dry run failed (exit ${again.exitCode})` };
    const facts = await readTenantFacts(options.client, bundleDir, keywords);
    return { after: withTenantFacts(again.plan, facts, bundleDir, keywords) };
  } catch (error) {
    return { readBackError: options.redact(describeError(error)) };
  }
}

/** Every value that must not appear in printed output: the deploy secret and the keyword values read from secret-looking variables. */
function secretValues(
  environment: EnvironmentDescription,
  keywords: Record<string, string | string[]>,
  target: DeployTarget | undefined,
): string[] {
  const fromSecretVariable = (source: KeywordSource | undefined) =>
    source !== undefined && typeof source === 'object' && !Array.isArray(source) && looksSecret(source.env);
  const values = Object.entries(environment.keywords)
    .filter(([keyword, source]) => fromSecretVariable(source) || looksSecret(keyword))
    .flatMap(([keyword]) => keywords[keyword] ?? []);
  if (target !== undefined) values.push(target.clientSecret);
  return values;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const status = statusOf(error);
    return status !== undefined ? `${status} ${error.message}` : error.message;
  }
  return String(error);
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
