import { ActionCacheStore } from '../local-tenant/actions-runtime/action-cache';
import { fakePostLoginApi, fakePostLoginEvent, fakeRegistrationApi, fakeRegistrationEvent, fakeUser } from '../test/support/action-fakes';
import type { Interceptor, RecordedRequest } from '../test/support/intercept';
import { builtAction, handlerOf, loadFresh, type BuiltAction } from './built-actions';
import { withRecordedHttp } from './recorded-http';
import { ratioOf, type Figure, type Section } from './report';

/**
 * 4. Requests per flow: each email flow run by the BUILT Action (in a node:vm context, real
 * `auth0` SDK and `@sendgrid/mail`), every outbound HTTP request recorded at the HTTP layer by
 * nock (also requests nothing answers, so an extra request is counted, never hidden), with a
 * cold and with a warm token cache, against the floor derived below.
 */

type CacheState = 'cold' | 'warm';

interface FlowSpec {
  id: string;
  label: string;
  action: string;
  /** The event of one execution, for a user id of its own. */
  event(userId: string): unknown;
  /** The log line's reason that says the email went out. */
  successLog: string;
  /** Requests from the Action, cold and warm token cache. */
  floor: Record<CacheState, number>;
  /** Why the floor is what it is. */
  why: string;
  /** post-login writes app_metadata through api.user: Auth0 writes it once when the trigger ends. */
  postLogin: boolean;
}

const registration = (connection: string, appMetadata: Record<string, unknown>) => (userId: string) =>
  fakeRegistrationEvent({
    connection: { id: `con_${connection}`, name: connection, strategy: 'auth0' },
    userOverrides: { user_id: userId, app_metadata: appMetadata },
  });

const FLOWS: readonly FlowSpec[] = [
  {
    id: 'invite-change-password-flagged',
    label: 'invitation, change_password, user created with invite: true',
    action: 'invite-on-registration',
    event: registration('members', { invite: true }),
    successLog: 'invited mode=change_password',
    floor: { cold: 3, warm: 2 },
    why: 'One `POST /dbconnections/change_password` makes Auth0 send its own email; that endpoint takes a client id, no Management API token. Then the record of the sent invitation, one `PATCH /api/v2/users/{id}` (`app_metadata.invitation_email_sent`, which `npm run invite` reads to tell a sent invitation from a lost one; post-user-registration has no `api.user`). The record needs the token: one token request when the cache is cold.',
    postLogin: false,
  },
  {
    id: 'invite-change-password-by-connection',
    label: 'invitation, change_password, invited by connection (flag set first)',
    action: 'invite-on-registration',
    event: registration('members', {}),
    successLog: 'invited mode=change_password',
    floor: { cold: 4, warm: 3 },
    why: 'The reset template words the email as an invitation only while `app_metadata.invite` is true, and post-user-registration has no `api.user`: the flag needs one `PATCH /api/v2/users/{id}` (so one token when the cache is cold) before the `change_password` call. Then the record of the sent invitation, one `PATCH /api/v2/users/{id}` (`app_metadata.invitation_email_sent`, which `npm run invite` reads to tell a sent invitation from a lost one; post-user-registration has no `api.user`). The flag cannot ride with the record: it must be set before the email, the record only after.',
    postLogin: false,
  },
  {
    id: 'invite-ticket',
    label: 'invitation, ticket',
    action: 'invite-on-registration',
    event: registration('shared-inbox', {}),
    successLog: 'invited mode=ticket',
    floor: { cold: 4, warm: 3 },
    why: 'A password-change ticket (Management API, so one token when cold) plus one SendGrid send: ticket + send = 2. Then the record of the sent invitation, one `PATCH /api/v2/users/{id}` (`app_metadata.invitation_email_sent`, which `npm run invite` reads to tell a sent invitation from a lost one; post-user-registration has no `api.user`).',
    postLogin: false,
  },
  {
    id: 'verification',
    label: 'verification (unverified user, first login)',
    action: 'verify-and-welcome',
    event: (userId) => fakePostLoginEvent({ user: fakeUser({ user_id: userId }) }),
    successLog: 'verification_sent',
    floor: { cold: 3, warm: 2 },
    why: 'An email-verification ticket (Management API, one token when cold) plus one SendGrid send; the `verification_email_sent` flag goes through `api.user.setAppMetadata`, which Auth0 writes with the login itself: the metadata update costs the Action no request.',
    postLogin: true,
  },
  {
    id: 'welcome',
    label: 'welcome (verified user, not yet welcomed)',
    action: 'verify-and-welcome',
    event: (userId) => fakePostLoginEvent({ user: fakeUser({ user_id: userId, email_verified: true }) }),
    successLog: 'welcome_sent',
    floor: { cold: 1, warm: 1 },
    why: 'One SendGrid send; no Management API call, so no token even when the cache is cold; the flag goes through `api.user.setAppMetadata` (written by Auth0 with the login).',
    postLogin: true,
  },
];

interface FlowRun {
  flow: string;
  cache: CacheState;
  requests: string[];
  tokenRequests: number;
  /** app_metadata keys the Action set through api.user (post-login), written by Auth0 in one update. */
  metadataKeys: number;
  succeeded: boolean;
  logs: string[];
}

function requestLine(request: RecordedRequest): string {
  return `${request.method} ${request.path.split('?')[0] ?? ''}`;
}

/** Every endpoint any flow may call, answered once more; unanswered calls are still recorded. */
function answerEverything(http: Interceptor, userId: string): void {
  // Two user updates: change_password mode by connection sets the invite flag, then records the invitation.
  http.token().passwordChangeTicket().verificationTicket().userUpdate(userId).userUpdate(userId).changePassword().sendgrid();
}

async function execute(action: BuiltAction, flow: FlowSpec, cache: ActionCacheStore, userId: string) {
  const loaded = loadFresh(action.code, { filename: `${action.name}/code.js`, dependencies: action.dependencies });
  const handler = handlerOf(loaded, action.trigger.id);
  const logs: string[] = [];
  if (flow.postLogin) {
    const api = fakePostLoginApi(cache);
    await loaded.captureLogs(logs, () => handler(flow.event(userId), api));
    return { logs, metadataKeys: api.appMetadataCalls.length };
  }
  await loaded.captureLogs(logs, () => handler(flow.event(userId), fakeRegistrationApi(cache)));
  return { logs, metadataKeys: 0 };
}

async function runFlow(flow: FlowSpec, cacheState: CacheState): Promise<FlowRun> {
  const action = builtAction(flow.action);
  const cache = new ActionCacheStore();
  return withRecordedHttp(async (http) => {
    if (cacheState === 'warm') {
      // An earlier execution of the same trigger filled api.cache with a token.
      answerEverything(http, 'auth0|warm-up');
      await execute(action, flow, cache, 'auth0|warm-up');
      http.requests.splice(0);
    }
    answerEverything(http, 'auth0|measured');
    const { logs, metadataKeys } = await execute(action, flow, cache, 'auth0|measured');
    return {
      flow: flow.id,
      cache: cacheState,
      requests: http.requests.map(requestLine),
      tokenRequests: http.requests.filter((r) => r.path.split('?')[0] === '/oauth/token').length,
      metadataKeys,
      succeeded: logs.some((line) => line.endsWith(flow.successLog)),
      logs,
    };
  });
}

export async function measureRequestsPerFlow(): Promise<Section> {
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const flow of FLOWS) {
    const sequences: string[] = [];
    for (const cacheState of ['cold', 'warm'] as const) {
      const run = await runFlow(flow, cacheState);
      const floor = flow.floor[cacheState];
      const sequence = run.requests.join(', ') || 'no request';
      sequences.push(`${cacheState}: ${sequence}`);
      figures.push({
        id: `requests-per-flow.${flow.id}.${cacheState}`,
        figure: `${flow.label}, ${cacheState} token cache`,
        measured: run.requests.length,
        unit: '',
        counterpart: { label: 'floor', value: floor, unit: '' },
        ratio: ratioOf(run.requests.length, floor),
        band: '<= floor',
        verdict: run.succeeded && run.requests.length <= floor ? 'pass' : 'fail',
        detail: `${sequence}${flow.postLogin ? `; app_metadata keys set through api.user: ${run.metadataKeys}` : ''}`,
        // A flow whose email did not go out would make fewer requests: it must not pass as cheap.
        ...(run.succeeded ? {} : { note: `the email was NOT sent (logs: ${run.logs.join(' / ')})` }),
      });
    }
    notes.push(`${flow.label}: floor ${flow.floor.cold} cold, ${flow.floor.warm} warm. ${flow.why} Measured, ${sequences.join('; ')}.`);
  }
  return {
    id: 'requests-per-flow',
    title: '4. Requests per flow',
    method:
      'Each flow executed once by the built Action in a `node:vm` context with the real `auth0` SDK and `@sendgrid/mail`; every outbound HTTP request is recorded by nock at the HTTP layer (requests no interceptor answers are recorded too). Cold: an empty `api.cache`. Warm: the same cache after one earlier execution of the flow. A flow counts only if its log line says the email went out. The floors, request by request, are below the table.',
    notes,
    figures,
  };
}
