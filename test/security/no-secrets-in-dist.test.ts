/**
 * No secret value from the environment or a `.env` file reaches the build output. The build
 * runs with a distinctive fake value in every variable the environment descriptions read (and
 * every one `.env.example` lists), and the output must hold none of them, only the deploy-cli
 * placeholders (`##NAME##`, `@@NAME@@`) where the Actions' secrets go. The real dist/ (written by
 * `npm run build` at the start of `npm test`) is also scanned for the values of the secret-like
 * variables of this process and of any `.env*` file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTenantBundle, ROOT } from '../../build/tenant-bundle';

jest.setTimeout(60_000);

/** Every `{ "env": "NAME" }` of environments/*.json, and every NAME= of .env.example. */
function environmentVariableNames(): string[] {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const env = (value as { env?: unknown }).env;
      if (typeof env === 'string') names.add(env);
      Object.values(value).forEach(walk);
    }
  };
  const dir = join(ROOT, 'environments');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) walk(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  const example = join(ROOT, '.env.example');
  if (existsSync(example)) {
    for (const match of readFileSync(example, 'utf8').matchAll(/^\s*([A-Z][A-Z0-9_]*)=/gm)) names.add(match[1]!);
  }
  return [...names].sort();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files of `dir` that contain any of `values`, as `file: NAME`. */
function leaks(dir: string, values: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const text = readFileSync(file, 'latin1');
    for (const [name, value] of values) if (text.includes(value)) found.push(`${file.slice(dir.length + 1)}: ${name}`);
  }
  return found;
}

const JSON_VARIABLES = new Set(['APP_CALLBACKS', 'APP_LOGOUT_URLS']);

describe('the build with a fake value in every environment variable', () => {
  const names = environmentVariableNames();
  const nonce = randomBytes(6).toString('hex');
  const fakes = new Map(names.map((name) => [name, `fake-${name.toLowerCase().replace(/_/g, '-')}-${nonce}`]));
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  const outDirs: string[] = [];

  beforeAll(() => {
    for (const [name, value] of fakes) {
      process.env[name] = JSON_VARIABLES.has(name) ? JSON.stringify([`https://${value}.example.com/cb`]) : value;
    }
    // Only these two choose what the build does; a fake value would be refused.
    delete process.env.EMAIL_PROVIDER;
  });

  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('knows the variables to check (environment descriptions read secrets from the environment)', () => {
    expect(names).toEqual(expect.arrayContaining(['AUTH0_CLIENT_SECRET', 'ACTIONS_CLIENT_SECRET', 'SENDGRID_API_KEY']));
  });

  it.each(['sendgrid', 'custom'] as const)('with the %s email provider, writes none of them, only placeholders', async (emailProvider) => {
    const outDir = mkdtempSync(join(tmpdir(), `dist-${emailProvider}-`));
    outDirs.push(outDir);
    await buildTenantBundle(ROOT, { outDir, emailProvider });
    expect(leaks(outDir, fakes)).toEqual([]);
    // The secret slots exist, and hold deploy-cli placeholders.
    const configs = readdirSync(join(outDir, 'actions')).filter((f) => f.endsWith('.json'));
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const file of configs) {
      const config = JSON.parse(readFileSync(join(outDir, 'actions', file), 'utf8')) as { secrets: { name: string; value: string }[] };
      expect(config.secrets.length).toBeGreaterThan(0);
      for (const secret of config.secrets) expect([`##${secret.name}##`, `@@${secret.name}@@`]).toContain(secret.value);
    }
    const provider = readFileSync(join(outDir, 'emails', 'provider.json'), 'utf8');
    expect(provider).not.toMatch(/SG\.[A-Za-z0-9_-]{10,}/);
  });
});

describe('dist/ as npm run build wrote it', () => {
  /** Values of this process's secret-like variables and of every .env* file (except the example). */
  function secretValues(): Map<string, string> {
    const values = new Map<string, string>();
    const secretLike = /SECRET|KEY|TOKEN|PASSWORD|CLIENT_ID/;
    for (const [name, value] of Object.entries(process.env)) {
      if (secretLike.test(name) && value !== undefined && value.trim().length >= 8) values.set(`env ${name}`, value.trim());
    }
    for (const file of readdirSync(ROOT).filter((f) => f.startsWith('.env') && f !== '.env.example')) {
      for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/^\s*([A-Z][A-Z0-9_]*)=(.*)$/gm)) {
        const value = match[2]!.trim().replace(/^["']|["']$/g, '');
        if (value.length >= 8 && !/^https?:\/\//.test(value)) values.set(`${file} ${match[1]}`, value);
      }
    }
    return values;
  }

  it('holds no value of a secret-like environment variable or .env entry', () => {
    const dist = join(ROOT, 'dist');
    if (!existsSync(dist)) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
    const values = secretValues();
    expect(leaks(dist, values)).toEqual([]);
  });
});
