/**
 * The list of used endpoints (used-endpoints.ts) against the code: every Auth0 or SendGrid call
 * found in the project's code is in the list, and every endpoint the list says our code calls
 * is still called. deploy-cli's endpoints are checked against a real deploy in
 * test/e2e/deploy.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SDK_METHODS, USED_ENDPOINTS, type Caller } from './used-endpoints';

const ROOT = join(__dirname, '..', '..');
const CODE_DIRS = ['actions', 'admin', 'scripts', 'deploy', 'build'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

interface FoundCall {
  where: string;
  call: string;
  endpoint: string | undefined;
}

/** The Auth0 and SendGrid calls in one file: SDK methods, sub-path SDK clients and fetch URLs. */
function callsIn(file: string): FoundCall[] {
  const text = readFileSync(file, 'utf8');
  const where = (index: number) => `${relative(ROOT, file)}:${text.slice(0, index).split('\n').length}`;
  const found: FoundCall[] = [];
  const sdk = (index: number, call: string) => found.push({ where: where(index), call, endpoint: SDK_METHODS[call] });
  // ManagementClient methods: `client.users.list(`, `management.client.emails.provider.get(`.
  for (const m of text.matchAll(/\bclient\.((?:\w+\.)+\w+)\(/g)) sdk(m.index, m[1] ?? '');
  // Sub-path clients (auth0/tickets, auth0/users, auth0/clients): `tickets.changePassword(`, `new Users(...).update(`.
  for (const m of text.matchAll(/\btickets\.(\w+)\(/g)) sdk(m.index, `tickets.${m[1]}`);
  for (const m of text.matchAll(/new (Users|Tickets|Jobs|Clients)\((?:[^()]|\([^()]*\))*\)\.(\w+)\(/g)) {
    sdk(m.index, `${(m[1] ?? '').toLowerCase()}.${m[2]}`);
  }
  // @sendgrid/mail: `mail.send(` on the MailService.
  for (const m of text.matchAll(/\bmail\.(send|sendMultiple)\(/g)) sdk(m.index, `mail.${m[1]}`);
  // Direct HTTP: fetch(`https://${domain}/path`, { method: 'POST', ... }).
  for (const m of text.matchAll(/fetch\w*\(\s*`https:\/\/\$\{[^}]+\}(\/[^`?]*)`,\s*\{[^}]*?method:\s*'(\w+)'/g)) {
    const endpoint = `${m[2]} ${m[1]}`;
    found.push({ where: where(m.index), call: endpoint, endpoint: endpoint in USED_ENDPOINTS ? endpoint : undefined });
  }
  return found;
}

const calls = CODE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)).flatMap(callsIn));

test('every Auth0 and SendGrid call in the code is a listed endpoint', () => {
  expect(calls.length).toBeGreaterThan(10);
  const unlisted = calls.filter((c) => c.endpoint === undefined).map((c) => `${c.where} ${c.call}`);
  expect(unlisted).toEqual([]);
});

test("every endpoint listed as our code's is still called by it", () => {
  const ours = new Set<Caller>(['actions', 'admin scripts', 'deploy']);
  const listedAsOurs = Object.entries(USED_ENDPOINTS)
    .filter(([, callers]) => callers.some((c) => ours.has(c)))
    .map(([endpoint]) => endpoint);
  const called = new Set(calls.map((c) => c.endpoint));
  expect(listedAsOurs.filter((endpoint) => !called.has(endpoint))).toEqual([]);
});
