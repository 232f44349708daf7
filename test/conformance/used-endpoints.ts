/**
 * Every Auth0 and SendGrid endpoint the project calls, and who calls it. The Management API's come
 * from the one list of each application's calls, deploy/application-scopes.ts; the rest are
 * listed here. The project's own calls are found in its code (used-endpoints.test.ts greps for
 * them and fails on one missing here); auth0-deploy-cli's are those a real `a0deploy import` of
 * dist/tenant made against the local tenant (test/e2e/deploy.test.ts checks them against its
 * request log).
 */
import { APPLICATION_CALLS, type ApplicationName } from '../../deploy/application-scopes';
import type { EndpointKey } from './shape-kit';

export type Caller = 'actions' | 'admin scripts' | 'deploy' | 'deploy-cli' | 'e2e tests';

const CALLERS: Record<ApplicationName, Caller> = { actions: 'actions', admin: 'admin scripts', deploy: 'deploy' };
const SENDERS = { 'deploy-cli': ['deploy-cli'], ours: ['deploy'], both: ['deploy', 'deploy-cli'] } as const;

/** The Management API calls: those of the applications' scope lists (deploy/application-scopes.ts), each with its callers. */
function managementEndpoints(): Record<EndpointKey, Caller[]> {
  const endpoints: Record<EndpointKey, Caller[]> = {};
  for (const [application, calls] of Object.entries(APPLICATION_CALLS) as [
    ApplicationName,
    (typeof APPLICATION_CALLS)[ApplicationName],
  ][]) {
    for (const call of calls) {
      const callers = (endpoints[`${call.method} /api/v2${call.path}`] ??= []);
      for (const caller of call.sender === undefined ? [CALLERS[application]] : SENDERS[call.sender]) {
        if (!callers.includes(caller)) callers.push(caller);
      }
    }
  }
  return endpoints;
}

export const USED_ENDPOINTS: Record<EndpointKey, readonly Caller[]> = {
  'POST /oauth/token': ['actions', 'admin scripts', 'deploy', 'deploy-cli'],
  'POST /dbconnections/change_password': ['actions'],
  // The sign-up Auth0's login page makes; the e2e tests sign users up through it.
  'POST /dbconnections/signup': ['e2e tests'],
  ...managementEndpoints(),
  // The tests wait for a draft to be built before deploying it (local-tenant/test/helpers.ts deployWhenBuilt).
  'GET /api/v2/actions/actions/{id}': ['e2e tests'],
  'POST /v3/mail/send': ['actions', 'admin scripts'],
};

/**
 * Endpoints the local tenant serves that neither our code, nor deploy-cli, nor the tests call,
 * checked against a real tenant's answers all the same because a rule the project relies on
 * lives there. Each says why.
 */
export const SERVED_ENDPOINTS: Record<EndpointKey, string> = {
  'GET /api/v2/client-grants':
    "Client grants decide every token's scopes. docs/scopes.md grants them by hand in the Dashboard; these are how they are read on a running local tenant.",
  'POST /api/v2/client-grants': 'The same: how a grant is made on a running local tenant, as the Dashboard makes it.',
  'PATCH /api/v2/client-grants/{id}': "The same: how a grant's scopes change (docs/scopes.md, checking an application's scopes later).",
  'GET /api/v2/actions/actions/{id}/versions':
    'Each deploy of an Action makes a version (the deploy plan counts them, deploy/plan.ts); this is where a reader sees them.',
  'GET /api/v2/users/{id}/roles': 'Where the roles `npm run invite -- --roles` gave a user are read (docs/invitations.md).',
};

/**
 * The `auth0` SDK (v7) methods our code calls, by the endpoint each one requests: what
 * used-endpoints.test.ts maps the calls it finds in the code to.
 */
export const SDK_METHODS: Record<string, EndpointKey> = {
  'users.list': 'GET /api/v2/users',
  'users.get': 'GET /api/v2/users/{id}',
  'users.create': 'POST /api/v2/users',
  'users.update': 'PATCH /api/v2/users/{id}',
  'users.delete': 'DELETE /api/v2/users/{id}',
  'users.listUsersByEmail': 'GET /api/v2/users-by-email',
  'users.roles.assign': 'POST /api/v2/users/{id}/roles',
  'jobs.usersExports.create': 'POST /api/v2/jobs/users-exports',
  'jobs.get': 'GET /api/v2/jobs/{id}',
  'tickets.changePassword': 'POST /api/v2/tickets/password-change',
  'tickets.verifyEmail': 'POST /api/v2/tickets/email-verification',
  'connections.list': 'GET /api/v2/connections',
  'clients.get': 'GET /api/v2/clients/{id}',
  'emails.provider.get': 'GET /api/v2/emails/provider',
  'actions.triggers.bindings.list': 'GET /api/v2/actions/triggers/{triggerId}/bindings',
  // @sendgrid/mail's MailService.send
  'mail.send': 'POST /v3/mail/send',
};

/** A request path as the used-endpoint key spells it: ids and names replaced by their `{param}`. */
export function endpointOf(method: string, path: string): EndpointKey | undefined {
  const candidates = Object.keys(USED_ENDPOINTS).filter((key) => key.startsWith(`${method.toUpperCase()} `));
  return candidates.find((key) => {
    const template = key.slice(key.indexOf(' ') + 1);
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(path);
  });
}
