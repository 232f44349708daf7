import { startLocalTenant, type LocalTenant } from '../server';
import type { CustomEmailContext, LoginContext } from '../state/hooks';
import type { ConnectionRecord, UserRecord } from '../state/types';
import { createActionsRuntime, keptLogs } from './trigger-runner';

/** Actions written inline, deployed straight into the state, run by the runtime as Auth0 would. */
let tenant: LocalTenant;
let runtime: ReturnType<typeof createActionsRuntime>;

const connection: ConnectionRecord = { id: 'con_1', name: 'members', strategy: 'auth0', options: {}, enabled_clients: [] };
const user: UserRecord = {
  user_id: 'auth0|u1',
  connection: 'members',
  email: 'u1@example.com',
  email_verified: false,
  app_metadata: { keep: 1, drop: 2 },
  user_metadata: {},
  blocked: false,
  logins_count: 1,
  created_at: '2026-11-01T00:00:00.000Z',
  updated_at: '2026-11-01T00:00:00.000Z',
};

function deploy(name: string, trigger: string, code: string, secrets: Record<string, string> = {}): void {
  const { data } = tenant.store;
  const now = new Date().toISOString();
  const version = {
    id: `ver_${name}`,
    action_id: `act_${name}`,
    number: 1,
    code,
    runtime: 'node22',
    dependencies: [],
    secrets: Object.entries(secrets).map(([n, value]) => ({ name: n, value, updated_at: now })),
    supported_triggers: [{ id: trigger, version: 'v3' }],
    deployed: true,
    status: 'built' as const,
    created_at: now,
    updated_at: now,
  };
  data.action_versions.push(version);
  data.actions.push({ ...version, id: `act_${name}`, name, built_at: now, deployed_version_id: version.id, all_changes_deployed: true });
  data.trigger_bindings.push({
    id: `bind_${name}`,
    trigger_id: trigger,
    action_id: `act_${name}`,
    display_name: name,
    created_at: now,
    updated_at: now,
  });
}

function loginContext(): LoginContext {
  return {
    user: structuredClone(user),
    connection,
    client: undefined,
    request: { ip: '127.0.0.1', method: 'POST', hostname: 'localhost', language: 'fr-CA,fr;q=0.8', query: {}, body: {} },
  };
}

beforeEach(async () => {
  tenant = await startLocalTenant({
    port: 0,
    bootstrapClient: { client_id: 'c', client_secret: 's' },
    hooks: (rt) => (runtime = createActionsRuntime(rt, { triggerTimeoutMs: 500, emailRetryDelaysMs: [5] })),
  });
  tenant.store.setTenantSettings({ enabled_locales: ['en', 'fr'] });
  tenant.store.addUser(structuredClone(user));
});

afterEach(async () => {
  runtime.dispose();
  await tenant.stop();
});

it('runs bound Actions in order, later ones seeing earlier metadata, and writes the metadata once at the end', async () => {
  deploy(
    'first',
    'post-login',
    `exports.onExecutePostLogin = async (event, api) => {
    console.log('first sees', event.transaction.locale, event.secrets.GREETING);
    api.user.setAppMetadata('seen', true).user.setAppMetadata('drop', null);
  };`,
    { GREETING: 'bonjour' },
  );
  deploy(
    'second',
    'post-login',
    `exports.onExecutePostLogin = async (event, api) => {
    console.log('second sees', JSON.stringify(event.user.app_metadata));
  };`,
  );
  const outcome = await runtime.onLogin!(loginContext());
  expect(outcome).toEqual({ allowed: true, claims: { idToken: {}, accessToken: {} } });
  expect(tenant.store.findUser('auth0|u1')?.app_metadata).toEqual({ keep: 1, seen: true });
  const [execution] = tenant.store.data.action_executions;
  expect(execution?.results.map((r) => [r.action_name, r.logs])).toEqual([
    ['first', ['first sees fr bonjour']],
    ['second', ['second sees {"keep":1,"seen":true}']],
  ]);
});

it('stops at api.access.deny, and still writes the metadata it set', async () => {
  deploy(
    'deny',
    'post-login',
    `exports.onExecutePostLogin = async (event, api) => {
    api.user.setAppMetadata('tried', true);
    api.access.deny('not today');
  };`,
  );
  deploy('never', 'post-login', `exports.onExecutePostLogin = async () => { console.log('ran'); };`);
  expect(await runtime.onLogin!(loginContext())).toEqual({ allowed: false, reason: 'not today' });
  expect(tenant.store.findUser('auth0|u1')?.app_metadata.tried).toBe(true);
  expect(tenant.store.data.action_executions[0]?.results.map((r) => r.action_name)).toEqual(['deny']);
});

it('fails a login past the time limit and writes nothing', async () => {
  deploy(
    'slow',
    'post-login',
    `exports.onExecutePostLogin = async (event, api) => {
    api.user.setAppMetadata('late', true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  };`,
  );
  const outcome = await runtime.onLogin!(loginContext());
  expect(outcome).toEqual({ allowed: false, reason: 'Script execution time exceeded' });
  expect(tenant.store.findUser('auth0|u1')?.app_metadata.late).toBeUndefined();
  expect(tenant.store.data.action_executions[0]?.status).toBe('partial');
  await new Promise((resolve) => setTimeout(resolve, 1600)); // let the abandoned execution finish
});

it('keeps module state across executions and one api.cache per trigger; refuses undeclared modules', async () => {
  deploy(
    'counter',
    'post-login',
    `let runs = 0;
  exports.onExecutePostLogin = async (event, api) => {
    runs += 1;
    const cached = api.cache.get('k');
    api.cache.set('k', String(runs), { ttl: 60000 });
    console.log('runs', runs, 'cached', cached ? cached.value : 'none');
    try { require('left-pad'); } catch (e) { console.log(e.code); }
  };`,
  );
  await runtime.onLogin!(loginContext());
  await runtime.onLogin!(loginContext());
  expect(tenant.store.data.action_executions.map((e) => e.results[0]?.logs)).toEqual([
    ['runs 1 cached none', 'MODULE_NOT_FOUND'],
    ['runs 2 cached 1', 'MODULE_NOT_FOUND'],
  ]);
});

it('post-user-registration: an Action that throws does not fail the registration', async () => {
  deploy(
    'throws',
    'post-user-registration',
    `exports.onExecutePostUserRegistration = async (event) => {
    console.log('user', event.user.user_id, 'identities' in event.user);
    throw new Error('boom');
  };`,
  );
  await expect(runtime.onUserCreated!(user, connection, { via: 'management-api' })).resolves.toBeUndefined();
  expect(tenant.store.data.action_executions[0]?.results[0]).toMatchObject({ logs: ['user auth0|u1 false'], error: 'boom' });
});

it('an injected reset reaches the Action as a network error, and api.cache can be emptied between executions', async () => {
  deploy(
    'caller',
    'post-login',
    `exports.onExecutePostLogin = async (event, api) => {
    const cached = api.cache.get('k');
    api.cache.set('k', 'v');
    try {
      const response = await fetch('https://api.sendgrid.com/v3/mail/send', { method: 'POST', body: '{}' });
      console.log('status', response.status);
    } catch (error) {
      console.log('error', error.name);
    }
    console.log('cached', cached ? cached.value : 'none');
  };`,
  );
  tenant.faults.add({ route: 'POST /v3/mail/send', kind: 'reset', times: 1 });
  expect(await runtime.onLogin!(loginContext())).toEqual({ allowed: true, claims: { idToken: {}, accessToken: {} } });
  runtime.evictCaches();
  await runtime.onLogin!(loginContext());
  await runtime.onLogin!(loginContext());
  expect(tenant.store.data.action_executions.map((e) => e.results[0]?.logs)).toEqual([
    ['error TypeError', 'cached none'],
    ['status 401', 'cached none'],
    ['status 401', 'cached v'],
  ]);
});

describe('custom-email-provider', () => {
  const email = (): CustomEmailContext => ({
    notification: {
      to: 'u1@example.com',
      from: 'no-reply@example.com',
      subject: 'Reset your password',
      html: '<p>Reset</p>',
      text: 'Reset',
      locale: 'en',
      message_type: 'reset_email',
    },
    user: { ...structuredClone(user), app_metadata: { secondary_email: 'u1.private@example.org', secondary_email_verified: true } },
    connection,
    request: { ip: '127.0.0.1', method: 'POST', hostname: 'localhost', query: {}, body: { username: 'u1' } },
  });
  const outcomes = () => tenant.store.data.action_executions.map((e) => e.notification);

  it("gives the Action Auth0's event: the notification, the user with its metadata and no identities, the tenant", async () => {
    deploy(
      'mailer',
      'custom-email-provider',
      `exports.onExecuteCustomEmailProvider = async (event, api) => {
      console.log(event.notification.message_type, event.notification.to, event.user.app_metadata.secondary_email_verified);
      console.log('identities' in event.user, event.connection.name, event.tenant.id, typeof api.notification.retry, typeof api.cache.get);
      console.log(JSON.stringify(event.request));
    };`,
    );
    expect(await runtime.onCustomEmail!(email())).toEqual({ status: 'accepted', attempts: 1 });
    const [execution] = tenant.store.data.action_executions;
    expect(execution?.trigger_id).toBe('custom-email-provider');
    expect(execution?.user_id).toBe('auth0|u1');
    expect(execution?.results[0]?.logs).toEqual([
      'reset_email u1@example.com true',
      'false members local function function',
      '{"ip":"127.0.0.1","hostname":"localhost","query":{},"geoip":{}}',
    ]);
    expect(execution?.notification).toEqual({ message_type: 'reset_email', attempt: 1, outcome: 'accepted' });
  });

  it('runs the Action again after api.notification.retry, until it stops asking; the last call of an execution counts', async () => {
    deploy(
      'flaky',
      'custom-email-provider',
      `let runs = 0;
    exports.onExecuteCustomEmailProvider = async (event, api) => {
      runs += 1;
      if (runs === 1) { api.notification.drop('changed my mind'); api.notification.retry('sendgrid_http_503'); }
      if (runs === 2) api.notification.retry('sendgrid_http_429');
    };`,
    );
    expect(await runtime.onCustomEmail!(email())).toEqual({ status: 'accepted', attempts: 3 });
    expect(outcomes()).toEqual([
      { message_type: 'reset_email', attempt: 1, outcome: 'retry', reason: 'sendgrid_http_503' },
      { message_type: 'reset_email', attempt: 2, outcome: 'retry', reason: 'sendgrid_http_429' },
      { message_type: 'reset_email', attempt: 3, outcome: 'accepted' },
    ]);
  });

  it('gives up after 5 retries, and never retries a drop', async () => {
    deploy(
      'down',
      'custom-email-provider',
      `exports.onExecuteCustomEmailProvider = async (event, api) => api.notification.retry('sendgrid_http_503');`,
    );
    expect(await runtime.onCustomEmail!(email())).toEqual({
      status: 'failed',
      attempts: 6,
      reason: 'retries_exhausted: sendgrid_http_503',
    });
    expect(outcomes().map((o) => [o?.attempt, o?.outcome])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, 'retry']));

    tenant.store.remove('action_executions', () => true);
    tenant.store.remove('trigger_bindings', () => true);
    deploy(
      'strict',
      'custom-email-provider',
      `exports.onExecuteCustomEmailProvider = async (event, api) => api.notification.drop('x'.repeat(2000));`,
    );
    const dropped = await runtime.onCustomEmail!(email());
    expect(dropped).toMatchObject({ status: 'dropped', attempts: 1 });
    expect(dropped.status === 'dropped' && dropped.reason.length).toBe(1024);
    expect(outcomes()).toHaveLength(1);
  });

  it('treats a thrown error or a time-out as a failed delivery that Auth0 tries again', async () => {
    deploy(
      'unsteady',
      'custom-email-provider',
      `let runs = 0;
    exports.onExecuteCustomEmailProvider = async () => {
      runs += 1;
      if (runs === 1) throw new Error('boom');
      if (runs === 2) await new Promise((resolve) => setTimeout(resolve, 800));
    };`,
    );
    expect(await runtime.onCustomEmail!(email())).toEqual({ status: 'accepted', attempts: 3 });
    expect(outcomes()).toEqual([
      { message_type: 'reset_email', attempt: 1, outcome: 'retry', reason: 'unsteady: boom' },
      { message_type: 'reset_email', attempt: 2, outcome: 'retry', reason: 'Script execution time exceeded' },
      { message_type: 'reset_email', attempt: 3, outcome: 'accepted' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 400)); // let the abandoned execution finish
  });

  it('runs the first bound Action only, and records a failure when none is bound', async () => {
    expect(await runtime.onCustomEmail!(email())).toEqual({
      status: 'failed',
      attempts: 0,
      reason: 'no Action is bound to custom-email-provider',
    });
    expect(outcomes()).toEqual([
      { message_type: 'reset_email', attempt: 1, outcome: 'failed', reason: 'no Action is bound to custom-email-provider' },
    ]);
    deploy('one', 'custom-email-provider', `exports.onExecuteCustomEmailProvider = async () => console.log('one');`);
    deploy('two', 'custom-email-provider', `exports.onExecuteCustomEmailProvider = async () => console.log('two');`);
    await runtime.onCustomEmail!(email());
    expect(tenant.store.data.action_executions[1]?.results.map((r) => r.logs)).toEqual([['one']]);
  });
});

describe('console output: the first 256 characters per Action execution, as Auth0 keeps', () => {
  it('counts every line and the newline between two, and cuts the line that crosses the limit', () => {
    expect(keptLogs(['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(100)])).toEqual(['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(54)]);
    expect(keptLogs(['x'.repeat(256), 'lost'])).toEqual(['x'.repeat(256)]);
    expect(keptLogs(['short', 'lines'])).toEqual(['short', 'lines']);
  });

  it('applies to all console methods together, per Action, per execution', async () => {
    deploy(
      'chatty',
      'post-login',
      `exports.onExecutePostLogin = async () => { console.log('${'l'.repeat(150)}'); console.error('${'e'.repeat(150)}'); console.log('end'); };`,
    );
    deploy('quiet', 'post-login', `exports.onExecutePostLogin = async () => { console.info('${'q'.repeat(10)}'); };`);
    await runtime.onLogin!(loginContext());
    await runtime.onLogin!(loginContext());
    for (const execution of tenant.store.data.action_executions) {
      expect(execution.results.map((r) => r.logs)).toEqual([['l'.repeat(150), `[error] ${'e'.repeat(97)}`], [`[info] ${'q'.repeat(10)}`]]);
    }
  });
});
