import type { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import type { TenantContext } from '../context';
import { sameJson } from '../state/json';
import { nowIso } from '../state/store';
import type {
  ActionDependency,
  ActionRecord,
  ActionSecretRecord,
  ActionTriggerRef,
  ActionVersionRecord,
  JsonObject,
  TriggerBindingRecord,
} from '../state/types';
import { ApiError } from './errors';
import type { ManagementEnv } from './index';
import { actionsEnvelope, readPageRequest } from './pagination';
import { isJsonObject, optionalString, payloadError, readJsonObject } from './request-body';

/** Triggers the local runtime knows, with the versions Auth0 currently offers. */
const SUPPORTED_TRIGGERS: ReadonlyArray<{ id: string; version: string }> = [
  { id: 'post-login', version: 'v3' },
  { id: 'post-user-registration', version: 'v2' },
  { id: 'pre-user-registration', version: 'v2' },
  { id: 'post-change-password', version: 'v2' },
  { id: 'send-phone-message', version: 'v2' },
  { id: 'credentials-exchange', version: 'v2' },
  { id: 'custom-email-provider', version: 'v1' },
  { id: 'password-reset-post-challenge', version: 'v1' },
];

const MAX_BINDINGS_PER_TRIGGER = 20;
/**
 * Auth0 keeps at most 50 versions per action; "once the limit is reached, every additional
 * version that is added will result in the oldest version being deleted" (docs "Actions
 * Limitations"). The deployed version is never the one removed.
 */
const MAX_VERSIONS_PER_ACTION = 50;
/** Auth0's answer to a deploy while the draft is still building (deploy-cli retries on this text). */
const NOT_BUILT_MESSAGE = "A draft must be in the 'built' state before it can be deployed.";
/** Triggers that run one Action only: Auth0 refuses a second binding. */
const SINGLE_BINDING_TRIGGERS = new Set(['custom-email-provider', 'custom-phone-provider']);

export function registerActions(api: Hono<ManagementEnv>, ctx: TenantContext): void {
  const { store } = ctx;

  api.get('/actions/actions', (c) => {
    const page = readPageRequest((n) => c.req.query(n));
    let actions = store.data.actions;
    const triggerId = c.req.query('triggerId');
    if (triggerId) actions = actions.filter((a) => a.supported_triggers.some((t) => t.id === triggerId));
    const actionName = c.req.query('actionName');
    if (actionName) actions = actions.filter((a) => a.name === actionName);
    if (c.req.query('deployed') === 'true') actions = actions.filter((a) => a.deployed_version_id);
    // Installed (marketplace) actions are not emulated.
    if (c.req.query('installed') === 'true') actions = [];
    return c.json(
      actionsEnvelope(
        'actions',
        actions.map((a) => actionResponse(ctx, a)),
        page,
      ),
    );
  });

  api.get('/actions/actions/:id', (c) => c.json(actionResponse(ctx, requireAction(ctx, c.req.param('id')))));

  api.post('/actions/actions', async (c) => {
    const body = await readJsonObject(c);
    const name = optionalString(body, 'name');
    if (!name) throw payloadError('Missing required property: name');
    if (store.data.actions.some((a) => a.name === name)) {
      throw new ApiError(409, `An action with the name '${name}' already exists.`, 'action_conflict');
    }
    const now = nowIso();
    const action: ActionRecord = {
      id: randomUUID(),
      name,
      code: optionalString(body, 'code') ?? '',
      runtime: optionalString(body, 'runtime') ?? 'node22',
      dependencies: readDependencies(body['dependencies']),
      secrets: mergeSecrets([], readSecrets(body['secrets']), now),
      supported_triggers: readTriggers(body['supported_triggers']),
      built_at: buildEnd(ctx),
      created_at: now,
      updated_at: now,
      all_changes_deployed: false,
    };
    store.add('actions', action);
    return c.json(actionResponse(ctx, action), 201);
  });

  api.patch('/actions/actions/:id', async (c) => {
    const action = requireAction(ctx, c.req.param('id'));
    const body = await readJsonObject(c);
    const now = nowIso();
    const next: Pick<ActionRecord, 'name' | 'code' | 'runtime' | 'dependencies' | 'secrets' | 'supported_triggers'> = {
      name: optionalString(body, 'name') ?? action.name,
      code: optionalString(body, 'code') ?? action.code,
      runtime: optionalString(body, 'runtime') ?? action.runtime,
      dependencies: 'dependencies' in body ? readDependencies(body['dependencies']) : action.dependencies,
      secrets: 'secrets' in body ? mergeSecrets(action.secrets, readSecrets(body['secrets']), now) : action.secrets,
      supported_triggers: 'supported_triggers' in body ? readTriggers(body['supported_triggers']) : action.supported_triggers,
    };
    const current = {
      name: action.name,
      code: action.code,
      runtime: action.runtime,
      dependencies: action.dependencies,
      secrets: action.secrets,
      supported_triggers: action.supported_triggers,
    };
    // Every PATCH, identical or not, starts a new build of the draft: the action reads `pending`
    // until it is built (go-auth0 recording `TestActionManager_Update`: the PATCH answers `pending`).
    // deploy-cli PATCHes every action on every import, so each import waits for these builds.
    store.update(action, (draft) => {
      if (!sameJson(current, next)) {
        Object.assign(draft, next);
        draft.all_changes_deployed = draftEqualsDeployed(ctx, draft);
      }
      draft.updated_at = now;
      draft.built_at = buildEnd(ctx);
    });
    return c.json(actionResponse(ctx, action));
  });

  api.delete('/actions/actions/:id', (c) => {
    const action = requireAction(ctx, c.req.param('id'));
    const bound = store.data.trigger_bindings.some((b) => b.action_id === action.id);
    if (bound && c.req.query('force') !== 'true') {
      throw new ApiError(400, 'Action is bound to a trigger; use force=true to delete it', 'action_bound');
    }
    store.removeAction(action);
    return c.body(null, 204);
  });

  api.post('/actions/actions/:id/deploy', (c) => {
    const action = requireAction(ctx, c.req.param('id'));
    if (buildStatus(action) !== 'built') throw new ApiError(400, NOT_BUILT_MESSAGE);
    // Auth0 makes a new version on every deploy, identical to the deployed one or not ("An action
    // version is created whenever an action is deployed", Management API reference, actions).
    const now = nowIso();
    const versions = store.data.action_versions.filter((v) => v.action_id === action.id);
    const number = Math.max(0, ...versions.map((v) => v.number)) + 1;
    const version: ActionVersionRecord = {
      id: randomUUID(),
      action_id: action.id,
      number,
      code: action.code,
      runtime: action.runtime,
      dependencies: structuredClone(action.dependencies),
      secrets: structuredClone(action.secrets),
      supported_triggers: structuredClone(action.supported_triggers),
      deployed: true,
      status: 'built',
      created_at: now,
      updated_at: now,
    };
    store.deployActionVersion(action, version, MAX_VERSIONS_PER_ACTION);
    return c.json(versionResponse(ctx, version), 200);
  });

  api.get('/actions/actions/:id/versions', (c) => {
    const action = requireAction(ctx, c.req.param('id'));
    const versions = store.data.action_versions
      .filter((v) => v.action_id === action.id)
      .sort((a, b) => b.number - a.number)
      .map((v) => versionResponse(ctx, v));
    return c.json(
      actionsEnvelope(
        'versions',
        versions,
        readPageRequest((n) => c.req.query(n)),
      ),
    );
  });

  api.get('/actions/actions/:actionId/versions/:id', (c) => {
    const action = requireAction(ctx, c.req.param('actionId'));
    const version = store.data.action_versions.find((v) => v.action_id === action.id && v.id === c.req.param('id'));
    if (!version) throw new ApiError(404, 'That action version does not exist', 'not_found');
    return c.json(versionResponse(ctx, version));
  });

  // Action modules are not used by this project; an empty list lets deploy-cli go on.
  api.get('/actions/modules', (c) =>
    c.json({ modules: [], total: 0, page: Number(c.req.query('page') ?? 0), per_page: Number(c.req.query('per_page') ?? 50) }),
  );

  api.get('/actions/triggers', (c) =>
    c.json({
      triggers: SUPPORTED_TRIGGERS.map((t) => ({
        id: t.id,
        version: t.version,
        status: 'CURRENT',
        runtimes: ['node18-actions', 'node22'],
        default_runtime: 'node22',
        compatible_triggers: [],
        binding_policy: 'trigger-bound',
      })),
    }),
  );

  api.get('/actions/triggers/:triggerId/bindings', (c) => {
    const triggerId = requireTrigger(c.req.param('triggerId'));
    const bindings = store.data.trigger_bindings.filter((b) => b.trigger_id === triggerId).map((b) => bindingResponse(ctx, b));
    return c.json(
      actionsEnvelope(
        'bindings',
        bindings,
        readPageRequest((n) => c.req.query(n), 20),
      ),
    );
  });

  api.patch('/actions/triggers/:triggerId/bindings', async (c) => {
    const triggerId = requireTrigger(c.req.param('triggerId'));
    const body = await readJsonObject(c);
    const refs = body['bindings'];
    if (!Array.isArray(refs)) throw payloadError('Missing required property: bindings');
    if (refs.length > MAX_BINDINGS_PER_TRIGGER) throw payloadError(`At most ${MAX_BINDINGS_PER_TRIGGER} bindings per trigger`);
    if (SINGLE_BINDING_TRIGGERS.has(triggerId) && refs.length > 1) {
      throw new ApiError(400, `Only one action can be bound to the ${triggerId} trigger`, 'invalid_body');
    }
    const existing = store.data.trigger_bindings.filter((b) => b.trigger_id === triggerId);
    const now = nowIso();
    const next: TriggerBindingRecord[] = refs.map((item) => {
      const action = resolveBindingRef(ctx, item);
      if (!action.supported_triggers.some((t) => t.id === triggerId)) {
        throw new ApiError(400, `Action '${action.name}' does not support the trigger ${triggerId}`, 'invalid_body');
      }
      if (!action.deployed_version_id) {
        throw new ApiError(400, `Action '${action.name}' must be deployed before it can be bound`, 'invalid_body');
      }
      const displayName = (isJsonObject(item) && typeof item['display_name'] === 'string' && item['display_name']) || action.name;
      const same = existing.find((b) => b.action_id === action.id && b.display_name === displayName);
      return (
        same ?? {
          id: randomUUID(),
          trigger_id: triggerId,
          action_id: action.id,
          display_name: displayName,
          created_at: now,
          updated_at: now,
        }
      );
    });
    const unchanged = sameJson(
      existing.map((b) => b.id),
      next.map((b) => b.id),
    );
    if (!unchanged) {
      store.replaceTriggerBindings(triggerId, next);
    }
    return c.json({ bindings: next.map((b) => bindingResponse(ctx, b)) });
  });
}

function resolveBindingRef(ctx: TenantContext, item: unknown): ActionRecord {
  const ref = isJsonObject(item) ? item['ref'] : undefined;
  if (!isJsonObject(ref) || typeof ref['type'] !== 'string' || typeof ref['value'] !== 'string') {
    throw payloadError('Each binding needs ref { type, value }');
  }
  const value = ref['value'];
  const action =
    ref['type'] === 'action_name'
      ? ctx.store.data.actions.find((a) => a.name === value)
      : ref['type'] === 'action_id'
        ? ctx.store.data.actions.find((a) => a.id === value)
        : undefined;
  if (!action) throw new ApiError(404, `Action not found: ${value}`, 'not_found');
  return action;
}

function requireTrigger(triggerId: string): string {
  if (!SUPPORTED_TRIGGERS.some((t) => t.id === triggerId)) throw new ApiError(404, 'That trigger does not exist', 'not_found');
  return triggerId;
}

function requireAction(ctx: TenantContext, id: string): ActionRecord {
  const action = ctx.store.data.actions.find((a) => a.id === id);
  if (!action) throw new ApiError(404, 'That action does not exist', 'not_found');
  return action;
}

/** When a build started now ends: the profile's `actionBuildMs` from now. */
function buildEnd(ctx: TenantContext): string {
  return new Date(Date.now() + ctx.profile.timings.actionBuildMs).toISOString();
}

/** `pending` while the draft builds (after each create or PATCH), `built` after. */
function buildStatus(action: ActionRecord, now: number = Date.now()): 'pending' | 'built' {
  return Date.parse(action.built_at) > now ? 'pending' : 'built';
}

/** Past MAX_VERSIONS_PER_ACTION, the oldest versions go (never the deployed one). */
function deployedVersion(ctx: TenantContext, action: ActionRecord): ActionVersionRecord | undefined {
  return ctx.store.data.action_versions.find((v) => v.id === action.deployed_version_id);
}

function draftEqualsDeployed(ctx: TenantContext, action: ActionRecord): boolean {
  const version = deployedVersion(ctx, action);
  if (!version) return false;
  return sameJson(
    [action.code, action.runtime, action.dependencies, action.secrets, action.supported_triggers],
    [version.code, version.runtime, version.dependencies, version.secrets, version.supported_triggers],
  );
}

/** Secret values are write-only in Auth0: responses carry names and dates only. */
function publicSecrets(secrets: ActionSecretRecord[]): JsonObject[] {
  return secrets.map((s) => ({ name: s.name, updated_at: s.updated_at }));
}

/** What an Action's answer and each of its versions' (`action`) say of it. */
function actionSummary(action: ActionRecord): JsonObject {
  return {
    id: action.id,
    name: action.name,
    supported_triggers: action.supported_triggers as unknown as JsonObject[],
    all_changes_deployed: action.all_changes_deployed,
    created_at: action.created_at,
    updated_at: action.updated_at,
  };
}

function actionResponse(ctx: TenantContext, action: ActionRecord): JsonObject {
  const version = deployedVersion(ctx, action);
  const response: JsonObject = {
    ...actionSummary(action),
    code: action.code,
    dependencies: action.dependencies as unknown as JsonObject[],
    runtime: action.runtime,
    secrets: publicSecrets(action.secrets),
    status: buildStatus(action),
    ...(buildStatus(action) === 'built' ? { built_at: action.built_at } : {}),
    deploy: false,
  };
  if (version) response['deployed_version'] = versionResponse(ctx, version);
  return response;
}

function versionResponse(ctx: TenantContext, version: ActionVersionRecord): JsonObject {
  const action = ctx.store.data.actions.find((a) => a.id === version.action_id);
  return {
    id: version.id,
    action_id: version.action_id,
    code: version.code,
    dependencies: version.dependencies as unknown as JsonObject[],
    deployed: version.deployed,
    runtime: version.runtime,
    secrets: publicSecrets(version.secrets),
    status: version.status,
    number: version.number,
    errors: [],
    built_at: version.created_at,
    created_at: version.created_at,
    updated_at: version.updated_at,
    supported_triggers: version.supported_triggers as unknown as JsonObject[],
    ...(action ? { action: actionSummary(action) } : {}),
  };
}

function bindingResponse(ctx: TenantContext, binding: TriggerBindingRecord): JsonObject {
  const action = ctx.store.data.actions.find((a) => a.id === binding.action_id);
  return {
    id: binding.id,
    trigger_id: binding.trigger_id,
    display_name: binding.display_name,
    created_at: binding.created_at,
    updated_at: binding.updated_at,
    action: action ? actionResponse(ctx, action) : { id: binding.action_id },
  };
}

function readDependencies(value: unknown): ActionDependency[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw payloadError('Expected type array', 'dependencies');
  return value.map((d) => {
    if (!isJsonObject(d) || typeof d['name'] !== 'string' || typeof d['version'] !== 'string') {
      throw payloadError('Each dependency needs name and version', 'dependencies');
    }
    const dep: ActionDependency = { name: d['name'], version: d['version'] };
    if (typeof d['registry_url'] === 'string') dep.registry_url = d['registry_url'];
    return dep;
  });
}

function readSecrets(value: unknown): Array<{ name: string; value?: string }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw payloadError('Expected type array', 'secrets');
  if (value.length > 30) throw payloadError('At most 30 secrets per action', 'secrets');
  return value.map((s) => {
    if (!isJsonObject(s) || typeof s['name'] !== 'string') throw payloadError('Each secret needs a name', 'secrets');
    if (s['value'] !== undefined && typeof s['value'] !== 'string') throw payloadError('A secret value must be a string', 'secrets');
    return s['value'] === undefined ? { name: s['name'] } : { name: s['name'], value: s['value'] };
  });
}

/**
 * The secrets list replaces the old one; a secret sent without a value keeps its stored
 * value (Auth0 behaves this way, since clients never see values to send them back).
 */
function mergeSecrets(current: ActionSecretRecord[], incoming: Array<{ name: string; value?: string }>, now: string): ActionSecretRecord[] {
  return incoming.map((s) => {
    const old = current.find((c) => c.name === s.name);
    if (s.value === undefined) return old ?? { name: s.name, value: '', updated_at: now };
    if (old && old.value === s.value) return old;
    return { name: s.name, value: s.value, updated_at: now };
  });
}

function readTriggers(value: unknown): ActionTriggerRef[] {
  if (!Array.isArray(value) || value.length === 0) throw payloadError('Missing required property: supported_triggers');
  return value.map((t) => {
    if (!isJsonObject(t) || typeof t['id'] !== 'string') throw payloadError('Each trigger needs an id', 'supported_triggers');
    return { id: t['id'], version: typeof t['version'] === 'string' ? t['version'] : 'v1' };
  });
}
