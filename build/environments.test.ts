import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findUnfilledPlaceholders } from '../deploy/placeholder-guard';
import { environmentNames, environmentVariables, loadEnvironment, resolveDeployTarget, resolveKeywords } from './environments';

const ROOT = join(__dirname, '..');

test('the environments are dev, staging, prod and local, each with a description', () => {
  expect(environmentNames()).toEqual(['dev', 'local', 'prod', 'staging']);
  for (const name of environmentNames()) expect(loadEnvironment(name).description?.length).toBeGreaterThan(40);
});

test('.env.example lists every environment variable that any environments/*.json reads', () => {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
  const read = environmentNames().flatMap((name) => environmentVariables(loadEnvironment(name)).map((use) => use.variable));
  expect([...new Set(read)].filter((variable) => !listed.has(variable))).toEqual([]);
  // Nothing in it has a value: it is an example, never a secret.
  expect(example.match(/^[A-Z][A-Z0-9_]*=.+$/gm)).toBeNull();
});

test('dev, staging and prod read every secret and every per-tenant value from the environment, nothing secret written', () => {
  for (const name of ['dev', 'staging', 'prod']) {
    const environment = loadEnvironment(name);
    const written = Object.entries(environment.keywords).filter(([, source]) => typeof source === 'string' || Array.isArray(source));
    // Written values are settings shared by every tenant (modes, lifetimes), never credentials or addresses.
    expect(written.map(([keyword]) => keyword).sort()).toEqual(['INVITE_CONNECTIONS', 'INVITE_MODE', 'INVITE_TTL_SEC', 'VERIFY_TTL_SEC']);
    expect(environmentVariables(environment).map((use) => use.variable)).toEqual(
      expect.arrayContaining(['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'ACTIONS_CLIENT_SECRET', 'SENDGRID_API_KEY']),
    );
  }
});

test('every environment has a keyword for every placeholder of the built bundle (dist/tenant)', () => {
  for (const name of environmentNames()) {
    const environment = loadEnvironment(name);
    const everyKeywordSet = Object.fromEntries(Object.keys(environment.keywords).map((keyword) => [keyword, 'x']));
    expect({ name, unfilled: findUnfilledPlaceholders(join(ROOT, 'dist', 'tenant'), everyKeywordSet, environment) }).toEqual({
      name,
      unfilled: [],
    });
  }
});

test("the deploy target names what is missing by its variable, never by value; the local tenant's needs nothing", () => {
  const staging = loadEnvironment('staging');
  expect(resolveDeployTarget(staging, { AUTH0_DOMAIN: 'acme-staging.eu.auth0.com', AUTH0_CLIENT_SECRET: 's3cret-value' })).toEqual({
    missing: ['the deploy client id (environment variable AUTH0_CLIENT_ID)'],
  });
  expect(resolveDeployTarget(staging, { AUTH0_DOMAIN: 'a.eu.auth0.com', AUTH0_CLIENT_ID: 'id', AUTH0_CLIENT_SECRET: 'secret' })).toEqual({
    target: { domain: 'a.eu.auth0.com', clientId: 'id', clientSecret: 'secret' },
    missing: [],
  });
  const local = resolveDeployTarget(loadEnvironment('local'), {}, ROOT);
  expect(local.target).toEqual({
    domain: 'localhost:3443',
    clientId: 'local-deploy-client',
    clientSecret: 'local-deploy-secret',
    caCertPath: join(ROOT, 'dist', 'local-tenant', 'ca.pem'),
  });
  expect(resolveKeywords(loadEnvironment('local'), {}).missing).toEqual([]);
});

test('dev, staging and prod are one base (environments/_hosted.json) and differ only in their description', () => {
  const [dev, ...others] = ['dev', 'staging', 'prod'].map((name) => loadEnvironment(name));
  const shape = ({ name: _name, description: _description, ...rest }: ReturnType<typeof loadEnvironment>) => rest;
  for (const other of others) expect(shape(other)).toEqual(shape(dev!));
  expect(new Set([dev, ...others].map((e) => e!.description)).size).toBe(3);
});

test('an environment overrides its base field by field and keyword by keyword; a missing or chained base is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'environments-'));
  try {
    const write = (file: string, content: object) => writeFileSync(join(dir, `${file}.json`), JSON.stringify(content));
    write('_base', { domain: { env: 'AUTH0_DOMAIN' }, keywords: { A: 'base-a', B: { env: 'B' } } });
    write('qa', { extends: '_base', description: 'QA', domain: 'qa.example.com', keywords: { B: 'qa-b', C: 'qa-c' } });
    write('lost', { extends: '_nowhere', description: 'no base' });
    write('_chained', { extends: '_base', keywords: {} });
    write('chain', { extends: '_chained' });
    expect(environmentNames(dir)).toEqual(['chain', 'lost', 'qa']);
    expect(loadEnvironment('qa', dir)).toEqual({
      name: 'qa',
      description: 'QA',
      domain: 'qa.example.com',
      keywords: { A: 'base-a', B: 'qa-b', C: 'qa-c' },
    });
    expect(() => loadEnvironment('lost', dir)).toThrow(/^environments\/lost\.json extends "_nowhere": ENOENT/);
    expect(() => loadEnvironment('chain', dir)).toThrow('environments/_chained.json: a base cannot extend another.');
    expect(() => loadEnvironment('_base', dir)).toThrow('Unknown environment "_base": names are lower-case letters, digits and hyphens.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
