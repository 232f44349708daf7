import { gunzipSync } from 'node:zlib';
import type { ManagementClient } from 'auth0';
import type { LocalTenant } from '../server';
import { hashPassword } from '../state/passwords';
import { createDatabaseUser } from '../state/users';
import { managementClient, seedTenant, startTestTenant, tokenFor, trustingFetch } from './helpers';

/**
 * The local tenant's user search as Auth0's: it trails the writes by the index lag, pages through
 * the first 1,000 results only, and post-user-registration runs after the 201; the users-export
 * job is how more than 1,000 users are read (where the plan allows it).
 */

const LAG_MS = 300;
const DELAY_MS = 300;
let tenant: LocalTenant;
let mgmt: ManagementClient;
const hookRuns: Array<{ userId: string; at: number }> = [];

beforeAll(async () => {
  tenant = await startTestTenant({
    profile: 'essentials',
    timings: { searchIndexLagMs: LAG_MS, postRegistrationDelayMs: DELAY_MS, usersExportMs: 200 },
    hooks: {
      onUserCreated(user) {
        hookRuns.push({ userId: user.user_id, at: Date.now() });
        return Promise.resolve();
      },
    },
  });
  seedTenant(tenant);
  mgmt = managementClient(tenant);
});
afterAll(async () => tenant.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function apiGet(path: string): Promise<{ status: number; body: unknown }> {
  const res = await trustingFetch(tenant)(`${tenant.httpsUrl}/api/v2${path}`, {
    headers: { authorization: `Bearer ${await tokenFor(tenant)}` },
  });
  return { status: res.status, body: await res.json() };
}

test('post-user-registration runs after the 201, not before it, after the profile delay', async () => {
  const before = Date.now();
  const user = await mgmt.users.create({ connection: 'members', email: 'later@example.com', password: 'Passw0rd!' });
  const answeredAt = Date.now();
  expect(hookRuns.some((r) => r.userId === user.user_id)).toBe(false);
  await tenant.deferred.settled();
  const run = hookRuns.find((r) => r.userId === user.user_id);
  expect(run).toBeDefined();
  expect(run!.at).toBeGreaterThanOrEqual(answeredAt);
  expect(run!.at - before).toBeGreaterThanOrEqual(DELAY_MS - 5);
});

test('search sees a creation, a metadata update and a deletion only after the index lag; by id and by email at once', async () => {
  const user = await mgmt.users.create({
    connection: 'members',
    email: 'lagged@example.com',
    password: 'Passw0rd!',
    app_metadata: { stage: 'one' },
  });
  const id = user.user_id as string;
  const search = async () => (await mgmt.users.list({ q: `user_id:"${id}"`, search_engine: 'v3' })).data;

  expect(await search()).toEqual([]);
  expect((await mgmt.users.get(id)).user_id).toBe(id);
  expect((await mgmt.users.listUsersByEmail({ email: 'lagged@example.com' })).map((u) => u.user_id)).toEqual([id]);
  await sleep(LAG_MS + 20);
  expect((await search()).map((u) => u.app_metadata)).toEqual([{ stage: 'one' }]);

  await mgmt.users.update(id, { app_metadata: { stage: 'two' } });
  expect((await search()).map((u) => u.app_metadata)).toEqual([{ stage: 'one' }]);
  expect((await mgmt.users.get(id)).app_metadata).toEqual({ stage: 'two' });
  await sleep(LAG_MS + 20);
  expect((await search()).map((u) => u.app_metadata)).toEqual([{ stage: 'two' }]);

  await mgmt.users.delete(id);
  expect(await search()).toHaveLength(1);
  await sleep(LAG_MS + 20);
  expect(await search()).toEqual([]);
});

describe('more than 1,000 matches', () => {
  beforeAll(async () => {
    const passwordHash = hashPassword('Passw0rd!');
    for (let i = 0; i < 1_050; i++) {
      const input = { connection: 'members', email: `many${i}@example.com`, password: 'Passw0rd!', app_metadata: { batch: 'many' } };
      createDatabaseUser(tenant.store, input, { passwordHash });
    }
    await sleep(LAG_MS + 20);
  });

  test("paging past the first 1,000 answers 400 invalid_paging with Auth0's body; total says no more than 1,000", async () => {
    const q = encodeURIComponent('app_metadata.batch:"many"');
    const last = await apiGet(`/users?q=${q}&search_engine=v3&per_page=100&page=9&include_totals=true`);
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ start: 900, limit: 100, length: 100, total: 1000 });
    const past = await apiGet(`/users?q=${q}&search_engine=v3&per_page=100&page=10&include_totals=true`);
    expect(past).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message:
          'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation',
        errorCode: 'invalid_paging',
      },
    });
    // The window counts, not the matches: page 1 of 600 is past the cap even for a query matching one user.
    expect((await apiGet(`/users?q=${encodeURIComponent('email:"many1@example.com"')}&per_page=100&page=10`)).status).toBe(400);
  });

  test('a users-export job goes pending → completed and its gzipped NDJSON, fetched without a token, holds every user', async () => {
    const connectionId = tenant.store.findConnectionByName('members')!.id;
    const started = Date.now();
    const job = await mgmt.jobs.usersExports.create({
      connection_id: connectionId,
      format: 'json',
      fields: [
        { name: 'user_id' },
        { name: 'email' },
        { name: 'app_metadata' },
        { name: 'identities[0].connection', export_as: 'connection' },
      ],
    });
    expect(job).toMatchObject({
      type: 'users_export',
      status: 'pending',
      connection_id: connectionId,
      connection: 'members',
      format: 'json',
    });
    expect(job.id).toMatch(/^job_/);
    let state = await mgmt.jobs.get(job.id);
    const seen = [state.status];
    while (state.status !== 'completed') {
      await sleep(50);
      state = await mgmt.jobs.get(job.id);
      seen.push(state.status);
    }
    expect(seen[0]).toBe('pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const download = await trustingFetch(tenant)(state.location!);
    expect(download.status).toBe(200);
    const lines = gunzipSync(Buffer.from(await download.arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const many = lines.filter((l) => (l['app_metadata'] as { batch?: string } | undefined)?.batch === 'many');
    expect(many).toHaveLength(1_050);
    expect(many[0]).toEqual({
      user_id: expect.stringMatching(/^auth0\|/),
      email: expect.stringMatching(/^many\d+@example\.com$/),
      app_metadata: { batch: 'many' },
      connection: 'members',
    });
    // A link someone else guesses is refused.
    expect((await trustingFetch(tenant)(state.location!.replace(/signature=\w+/, 'signature=0'))).status).toBe(403);
  });

  test('a CSV export escapes strings as Auth0 does and refuses whole metadata objects', async () => {
    const job = await mgmt.jobs.usersExports.create({
      format: 'csv',
      limit: 2,
      fields: [{ name: 'email', export_as: 'Email' }, { name: 'created_at' }],
    });
    await sleep(250);
    const state = await mgmt.jobs.get(job.id);
    const text = gunzipSync(Buffer.from(await (await trustingFetch(tenant)(state.location!)).arrayBuffer())).toString('utf8');
    const [header, first] = text.split('\n');
    expect(header).toBe(`"'Email","'created_at"`);
    expect(first).toMatch(/^"'[^"]+@example\.com",\d{4}-\d{2}-\d{2}T[\d:.]+Z$/);
    await expect(mgmt.jobs.usersExports.create({ format: 'csv', fields: [{ name: 'app_metadata' }] })).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});

test('a free tenant refuses the export job (not available on the Free plan)', async () => {
  const free = await startTestTenant({ profile: 'free' });
  try {
    await expect(managementClient(free).jobs.usersExports.create({ format: 'json' })).rejects.toMatchObject({ statusCode: 403 });
  } finally {
    await free.stop();
  }
});
