import type { PasswordResetPostChallengeApi, PostLoginApi, PostUserRegistrationApi } from '../../actions/shared/auth0-actions';
import type { LocalTenantRuntime } from '../server';
import type {
  CustomClaims,
  CustomEmailContext,
  CustomEmailOutcome,
  LoginContext,
  LoginOutcome,
  PasswordResetChallengeContext,
  PasswordResetChallengeOutcome,
  TenantHooks,
  UserCreatedContext,
} from '../state/hooks';
import type {
  ActionExecutionLog,
  ActionExecutionRecord,
  ActionVersionRecord,
  ConnectionRecord,
  JsonObject,
  JsonValue,
  UserRecord,
} from '../state/types';
import { ActionCacheStore } from './action-cache';
import { attemptOutcome, customEmailApi, deliverWithRetries, type AttemptResult } from './custom-email';
import { customEmailProviderEvent, postChallengeEvent, postLoginEvent, postUserRegistrationEvent, secretsOf } from './events';
import { loadAction, type LoadedAction } from './load-action';
import { routeActionTraffic, runInActionScope } from './outbound-routing';

/**
 * Auth0 keeps 256 characters of an Action's console output per execution, all console methods
 * together (docs-v2 customize/actions/limitations.mdx, Logs). Which 256 is not documented: the
 * local tenant keeps the first, the strict reading for Actions whose outcome line comes last.
 */
export const KEPT_LOG_CHARS = 256;

/** The first KEPT_LOG_CHARS characters of an execution's lines, counting the newline between two lines. */
export function keptLogs(lines: readonly string[], limit: number = KEPT_LOG_CHARS): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const room = limit - used - (kept.length > 0 ? 1 : 0);
    if (room <= 0) break;
    kept.push(line.slice(0, room));
    used += Math.min(line.length, room) + (kept.length > 1 ? 1 : 0);
  }
  return kept;
}

/** Auth0 ends a trigger's execution, all its Actions together, after 20 seconds. */
const TRIGGER_TIMEOUT_MS = 20_000;

interface ActionsRuntimeOptions {
  triggerTimeoutMs?: number | undefined;
  /** Delays before Auth0's retries of an email (custom-email-provider); see DEFAULT_EMAIL_RETRY_DELAYS_MS. */
  emailRetryDelaysMs?: readonly number[] | undefined;
  /**
   * `trigger` (default): one api.cache per trigger, shared by every execution, as executions on one
   * Auth0 instance share it. `execution`: each execution starts with an empty cache, as when Auth0
   * runs two executions on different instances ("Cached data": "for subsequent executions ... it is
   * not guaranteed", docs-v2 customize/actions/limitations.mdx).
   */
  cacheScope?: 'trigger' | 'execution' | undefined;
}

interface BoundAction {
  actionId: string;
  name: string;
  version: ActionVersionRecord;
}

type TriggerId = 'post-login' | 'post-user-registration' | 'custom-email-provider' | 'password-reset-post-challenge';

const HANDLERS: Record<TriggerId, string> = {
  'post-login': 'onExecutePostLogin',
  'post-user-registration': 'onExecutePostUserRegistration',
  'custom-email-provider': 'onExecuteCustomEmailProvider',
  'password-reset-post-challenge': 'onExecutePostChallenge',
};

/**
 * The Actions runtime of the local tenant: runs the deployed version of each Action bound to
 * a trigger, in binding order, in its own node:vm context (module code once per deployed
 * version, as Auth0 reuses an instance), with its secrets and declared dependencies, and
 * Auth0's api semantics. Returns the hooks the server calls.
 */
export interface ActionsRuntime extends TenantHooks {
  /** Empties every trigger's api.cache, as Auth0 may between executions (tests: force a fresh token request). */
  evictCaches: () => void;
  dispose: () => void;
}

export function createActionsRuntime(runtime: LocalTenantRuntime, options: ActionsRuntimeOptions = {}): ActionsRuntime {
  const { store } = runtime;
  const timeoutMs = options.triggerTimeoutMs ?? TRIGGER_TIMEOUT_MS;
  const instances = new Map<string, LoadedAction>();
  const caches = new Map<TriggerId, ActionCacheStore>();
  // The tenant's domain is known only once its listener is bound: look it up per request.
  const routing = routeActionTraffic(
    (host) => {
      if (host === runtime.urls.domain) return (request) => runtime.app.fetch(request);
      if (host === 'api.sendgrid.com') return (request) => runtime.sendgridApp.fetch(request);
      return undefined;
    },
    () => runtime.profile.timings.actionNetworkLatencyMs,
  );

  function boundActions(trigger: TriggerId): BoundAction[] {
    return store.data.trigger_bindings
      .filter((binding) => binding.trigger_id === trigger)
      .flatMap((binding) => {
        const action = store.data.actions.find((a) => a.id === binding.action_id);
        const version = store.data.action_versions.find((v) => v.id === action?.deployed_version_id);
        return action !== undefined && version !== undefined ? [{ actionId: action.id, name: action.name, version }] : [];
      });
  }

  function instanceOf(bound: BoundAction): LoadedAction {
    let instance = instances.get(bound.version.id);
    if (instance === undefined) {
      instance = loadAction(bound.version.code, {
        filename: `${bound.name}/v${bound.version.number}.js`,
        dependencies: bound.version.dependencies,
        checkVersions: true,
      });
      instances.set(bound.version.id, instance);
    }
    return instance;
  }

  function cacheOf(trigger: TriggerId): ActionCacheStore {
    if (options.cacheScope === 'execution') return new ActionCacheStore();
    let cache = caches.get(trigger);
    if (cache === undefined) caches.set(trigger, (cache = new ActionCacheStore()));
    return cache;
  }

  function tenantInfo() {
    const enabled = store.data.tenant.enabled_locales;
    return {
      id: 'local',
      enabledLocales: Array.isArray(enabled) ? enabled.filter((l): l is string => typeof l === 'string') : ['en'],
    };
  }

  /** Runs each bound Action in order within the trigger's time limit; records the execution. */
  async function runTrigger(
    trigger: TriggerId,
    userId: string | undefined,
    runOne: (bound: BoundAction, handler: unknown) => Promise<'continue' | 'stop'>,
  ): Promise<{ timedOut: boolean; errors: string[]; record: ActionExecutionRecord }> {
    const started = Date.now();
    const results: ActionExecutionLog[] = [];
    const errors: string[] = [];
    // Auth0 runs one Action on custom-email-provider (the Management API refuses a second binding).
    const boundActionsToRun = trigger === 'custom-email-provider' ? boundActions(trigger).slice(0, 1) : boundActions(trigger);
    const work = (async () => {
      for (const bound of boundActionsToRun) {
        const logs: string[] = [];
        const result: ActionExecutionLog = { action_id: bound.actionId, action_name: bound.name, logs, duration_ms: 0 };
        results.push(result);
        const actionStarted = Date.now();
        try {
          const instance = instanceOf(bound);
          const next = await runInActionScope({ actionName: bound.name }, () =>
            instance.captureLogs(logs, () => runOne(bound, instance.exports[HANDLERS[trigger]])),
          );
          if (next === 'stop') break;
        } catch (error) {
          // Errors thrown inside the vm context are of its realm: not `instanceof Error` here.
          const message = (error as { message?: unknown } | null)?.message;
          result.error = typeof message === 'string' ? message : String(error);
          errors.push(`${bound.name}: ${result.error}`);
          // Auth0 fails the login (or the reset) when an Action of a blocking trigger throws.
          if (trigger === 'post-login' || trigger === 'password-reset-post-challenge') break;
        } finally {
          result.duration_ms = Date.now() - actionStarted;
        }
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      work.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) errors.push(`Script execution time exceeded (${timeoutMs} ms)`);
    const record = store.appendActionExecution({
      trigger_id: trigger,
      ...(userId !== undefined ? { user_id: userId } : {}),
      started_at: new Date(started).toISOString(),
      ended_at: new Date().toISOString(),
      status: timedOut ? 'partial' : 'final',
      results: results.map((r) => ({ ...r, logs: keptLogs(r.logs) })),
    });
    return { timedOut, errors, record };
  }

  async function onUserCreated(user: UserRecord, connection: ConnectionRecord, context: UserCreatedContext): Promise<void> {
    const cache = cacheOf('post-user-registration');
    await runTrigger('post-user-registration', user.user_id, async (bound, handler) => {
      if (typeof handler !== 'function') throw new Error('onExecutePostUserRegistration is not exported');
      const event = postUserRegistrationEvent(user, connection, context, secretsOf(bound.version.secrets), tenantInfo());
      const api: PostUserRegistrationApi = { cache };
      await (handler as (e: unknown, a: unknown) => Promise<void>)(event, api);
      return 'continue';
    });
    // Non-blocking in Auth0: the outcome never affects the signup.
  }

  async function onLogin(context: LoginContext): Promise<LoginOutcome> {
    const cache = cacheOf('post-login');
    const pending = { app_metadata: {} as JsonObject, user_metadata: {} as JsonObject };
    let denied: string | undefined;
    const claims: CustomClaims = { idToken: {}, accessToken: {} };
    const liveUser = structuredClone(context.user);
    const { timedOut, errors } = await runTrigger('post-login', context.user.user_id, async (bound, handler) => {
      if (typeof handler !== 'function') throw new Error('onExecutePostLogin is not exported');
      // Later Actions of the trigger see the metadata changes of earlier ones, as in Auth0.
      const event = postLoginEvent({ ...context, user: liveUser }, secretsOf(bound.version.secrets), tenantInfo());
      const api = postLoginApi(
        cache,
        (kind, key, value) => {
          pending[kind][key] = value;
          const target = liveUser[kind];
          if (value === null) delete target[key];
          else target[key] = value;
        },
        (reason) => (denied ??= reason),
        (token, name, value) => (claims[token][name] = toJson(value)),
      );
      await (handler as (e: unknown, a: unknown) => Promise<void>)(event, api);
      return denied === undefined ? 'continue' : 'stop';
    });
    if (timedOut) return { allowed: false, reason: 'Script execution time exceeded' };
    // Metadata is written once, when the trigger ends, even after a deny (Auth0 does not undo it).
    const user = store.findUser(context.user.user_id);
    if (user !== undefined && (Object.keys(pending.app_metadata).length > 0 || Object.keys(pending.user_metadata).length > 0)) {
      store.mergeUserMetadata(user, pending);
    }
    if (errors.length > 0) return { allowed: false, reason: errors[0] ?? 'Action failed' };
    return denied === undefined ? { allowed: true, claims } : { allowed: false, reason: denied };
  }

  /**
   * password-reset-post-challenge: `api.transaction.setResultUrl(url, { query })` chooses where
   * the browser goes after the reset (the last call wins); `api.access.deny` stops the reset
   * (docs-v2 post-challenge-api-object.mdx).
   */
  async function onPasswordResetChallenge(context: PasswordResetChallengeContext): Promise<PasswordResetChallengeOutcome> {
    const cache = cacheOf('password-reset-post-challenge');
    let denied: string | undefined;
    let resultUrl: string | undefined;
    const { timedOut, errors } = await runTrigger('password-reset-post-challenge', context.user.user_id, async (bound, handler) => {
      if (typeof handler !== 'function') throw new Error('onExecutePostChallenge is not exported');
      const event = postChallengeEvent(context, secretsOf(bound.version.secrets), tenantInfo());
      const api: PasswordResetPostChallengeApi = {
        access: { deny: (reason) => void (denied ??= reason) },
        cache,
        transaction: {
          setResultUrl: (url, options) => {
            const target = new URL(url);
            for (const [key, value] of Object.entries(options?.query ?? {})) target.searchParams.set(key, String(value));
            resultUrl = target.toString();
          },
        },
      };
      await (handler as (e: unknown, a: unknown) => Promise<void>)(event, api);
      return denied === undefined ? 'continue' : 'stop';
    });
    if (timedOut) return { allowed: false, reason: 'Script execution time exceeded' };
    if (errors.length > 0) return { allowed: false, reason: errors[0] ?? 'Action failed' };
    if (denied !== undefined) return { allowed: false, reason: denied };
    return resultUrl === undefined ? { allowed: true } : { allowed: true, resultUrl };
  }

  /**
   * custom-email-provider: the bound Action delivers the email; api.notification.retry runs it
   * again (at most 5 times), drop ends it. Each attempt is an execution record with its outcome.
   */
  async function onCustomEmail(context: CustomEmailContext): Promise<CustomEmailOutcome> {
    const cache = cacheOf('custom-email-provider');
    const messageType = context.notification.message_type;
    const userId = context.user?.user_id;
    if (boundActions('custom-email-provider').length === 0) {
      const now = new Date().toISOString();
      const reason = 'no Action is bound to custom-email-provider';
      store.appendActionExecution({
        trigger_id: 'custom-email-provider',
        ...(userId !== undefined ? { user_id: userId } : {}),
        started_at: now,
        ended_at: now,
        status: 'final',
        results: [],
        notification: { message_type: messageType, attempt: 1, outcome: 'failed', reason },
      });
      return { status: 'failed', attempts: 0, reason };
    }
    const settings = store.data.tenant;
    const text = (key: string) => (typeof settings[key] === 'string' ? { [key]: settings[key] } : {});
    const tenant = { id: 'local', ...text('friendly_name'), ...text('support_email'), ...text('support_url') };
    return deliverWithRetries(async (attempt) => {
      let decision: AttemptResult['decision'];
      const { timedOut, errors, record } = await runTrigger('custom-email-provider', userId, async (bound, handler) => {
        if (typeof handler !== 'function') throw new Error('onExecuteCustomEmailProvider is not exported');
        const event = customEmailProviderEvent(context, secretsOf(bound.version.secrets), tenant);
        const execution = customEmailApi(cache);
        try {
          await (handler as (e: unknown, a: unknown) => Promise<void>)(event, execution.api);
        } finally {
          decision = execution.decision();
        }
        return 'continue';
      });
      // A thrown error or a time-out is a failed delivery, which Auth0 tries again.
      const failure = timedOut ? 'Script execution time exceeded' : errors[0];
      const outcome = attemptOutcome(messageType, attempt, { decision, failure });
      store.update(record, (r) => (r.notification = outcome));
      return outcome;
    }, options.emailRetryDelaysMs);
  }

  return {
    onUserCreated,
    onLogin,
    onPasswordResetChallenge,
    onCustomEmail,
    evictCaches: () => {
      for (const cache of caches.values()) cache.evictAll();
    },
    dispose: () => routing.dispose(),
  };
}

function toJson(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue);
}

function postLoginApi(
  cache: ActionCacheStore,
  setMetadata: (kind: 'app_metadata' | 'user_metadata', key: string, value: JsonValue) => void,
  deny: (reason: string) => void,
  setClaim: (token: keyof CustomClaims, name: string, value: unknown) => void,
): PostLoginApi {
  const unsupported = () => api;
  const api: PostLoginApi = {
    access: { deny: (reason) => (deny(reason), api) },
    user: {
      setAppMetadata: (key, value) => (setMetadata('app_metadata', key, toJson(value)), api),
      setUserMetadata: (key, value) => (setMetadata('user_metadata', key, toJson(value)), api),
    },
    cache,
    // Auth0 puts these claims into the tokens the login issues (kept for the token endpoint).
    accessToken: {
      setCustomClaim: (name, value) => (setClaim('accessToken', name, value), api),
      addScope: unsupported,
      removeScope: unsupported,
    },
    idToken: { setCustomClaim: (name, value) => (setClaim('idToken', name, value), api) },
    multifactor: { enable: unsupported },
    redirect: { sendUserTo: unsupported, encodeToken: () => '', validateToken: () => ({}) },
    authentication: { challengeWith: () => undefined, recordMethod: unsupported },
    samlResponse: { setAttribute: unsupported },
  };
  return api;
}
