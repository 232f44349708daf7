/**
 * The answers of real Auth0 tenants (and SendGrid) to every endpoint the project calls, as
 * field names and types taken from public recordings. Each `source` names the recording:
 * repository@commit, path, and the interaction's index in the file (`#n`, the `id` of a
 * go-vcr YAML interaction or the array index of a deploy-cli nock JSON recording).
 *
 * The go-auth0 Management API recordings were removed when go-auth0 v2 was started; they are
 * cited at the last commit that has them (df1084d, the parent of be54012 "initialize v2").
 */
import { z } from 'zod';
import {
  bool,
  dbconnectionsError,
  int,
  intHeader,
  isoDate,
  managementError,
  obj,
  str,
  type EndpointKey,
  type EndpointShapes,
} from './shape-kit';

export const GO_AUTH0 = 'auth0/go-auth0@df1084db test/data/recordings/';
export const GO_AUTH0_AUTHN = 'auth0/go-auth0@d5be7536 test/data/recordings/authentication/';
export const DEPLOY_CLI = 'auth0/auth0-deploy-cli@a00a0554 test/e2e/recordings/';
export const TERRAFORM = 'auth0/terraform-provider-auth0@a00b6921 test/data/recordings/';
export const DOCS_V2 = 'auth0/docs-v2 main/docs/';
/** A later go-auth0 commit, for the recordings the one above lacks. */
const GO_AUTH0_LATER = 'auth0/go-auth0@501d1ae6 test/data/recordings/';
const DEPLOY_CLI_DELETE = `${DEPLOY_CLI}should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json`;
const DEPLOY_CLI_KEEP = `${DEPLOY_CLI}should-deploy-without-deleting-resources-if-AUTH0_ALLOW_DELETE-is-false.json`;

// A client grant (go-auth0 TestClientGrantManager_Create.yaml #2): the scopes are an array of strings.
const clientGrant = z.looseObject({ id: z.string().regex(/^cgr_/, 'a cgr_ id'), client_id: str, audience: str, scope: z.array(str) });

// The refusal of a template Redirect To on a non-enterprise tenant created on or after 2026-05-05.
const RESULT_URL_REFUSED = {
  status: 403,
  body: managementError(403).extend({ message: z.literal('Customizations for resultUrl are not allowed for non-enterprise tenants') }),
  source: `${DOCS_V2}customize/email/email-templates/customize-email-templates.mdx (URL lifetime and Redirect To)`,
} as const;

// A user export job (go-auth0 TestJobManager_ExportUsers.yaml).
const exportJob = z.looseObject({
  id: z.string().regex(/^job_/, 'a job_ id'),
  type: z.literal('users_export'),
  status: z.enum(['pending', 'processing', 'completed', 'failed']),
  format: z.enum(['json', 'csv']),
  fields: z.array(z.looseObject({ name: str })).optional(),
  connection_id: str.optional(),
  created_at: isoDate,
});

// A user as GET/POST/PATCH /api/v2/users answer it (go-auth0 TestUserManager_Read.yaml #1).
const identity = z.looseObject({ connection: str, user_id: str, provider: str, isSocial: bool });
export const user = z.looseObject({
  user_id: str,
  email: str,
  email_verified: bool,
  identities: z.array(identity).min(1),
  created_at: isoDate,
  updated_at: isoDate,
  name: str,
  nickname: str,
  picture: str,
  app_metadata: obj.optional(),
  user_metadata: obj.optional(),
});

// A database connection (go-auth0 TestConnectionManager_Read/It_can_successfully_read_a_Auth0_Connection.yaml #1).
const connection = z.looseObject({
  id: z.string().regex(/^con_/, 'a con_ id'),
  name: str,
  strategy: str,
  options: obj,
  enabled_clients: z.array(str),
  realms: z.array(str),
  is_domain_connection: bool,
});

// An application (deploy-cli should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json #2, #12).
const client = z.looseObject({ client_id: str, name: str, callbacks: z.array(str).optional(), client_metadata: obj.optional() });

// An action (go-auth0 TestActionManager_Create.yaml #0) and an action version (TestActionManager_Deploy.yaml #4).
const trigger = z.looseObject({ id: str, version: str });
const action = z.looseObject({
  id: str,
  name: str,
  supported_triggers: z.array(trigger),
  created_at: isoDate,
  updated_at: isoDate,
  code: str,
  dependencies: z.array(z.looseObject({ name: str, version: str })),
  runtime: str,
  status: str,
  // Secret values are never returned, only names and dates.
  secrets: z.array(z.strictObject({ name: str, updated_at: isoDate })),
  all_changes_deployed: bool,
});
export const actionVersion = z.looseObject({
  id: str,
  code: str,
  dependencies: z.array(obj),
  deployed: bool,
  number: int,
  secrets: z.array(z.strictObject({ name: str, updated_at: isoDate })),
  status: str,
  created_at: isoDate,
  updated_at: isoDate,
  runtime: str,
  supported_triggers: z.array(trigger),
  action: z.looseObject({ id: str, name: str, supported_triggers: z.array(trigger), all_changes_deployed: bool }),
});
// A trigger binding (go-auth0 TestActionManager_Bindings.yaml #6, #7).
const binding = z.looseObject({
  id: str,
  trigger_id: str,
  display_name: str,
  action: z.looseObject({ id: str, name: str, supported_triggers: z.array(trigger) }),
  created_at: isoDate,
  updated_at: isoDate,
});

// An email template (terraform TestAccEmailTemplate.yaml #4; go-auth0 TestEmailTemplateManager_Update.yaml #1).
const emailTemplate = z.looseObject({
  template: str,
  body: str,
  from: str,
  subject: str,
  syntax: str,
  enabled: bool,
  urlLifetimeInSeconds: int.optional(),
  resultUrl: str.optional(),
  includeEmailInRedirect: bool.optional(),
});

// The email provider: credentials come back without any secret (go-auth0 TestEmailProviderManager_Read.yaml #1,
// deploy-cli should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json #65 answers `credentials: {}`).
const emailProvider = z.looseObject({
  name: str,
  enabled: bool,
  default_from_address: str,
  credentials: z.looseObject({}).refine((c) => !('api_key' in c), 'no api_key in the answer'),
});

// A ticket URL ends with `#`: parameters go after it (go-auth0 TestTicketManager_ChangePassword.yaml #1).
const ticket = z.strictObject({ ticket: z.string().regex(/^https?:\/\/[^#]+#$/, 'a URL ending with #') });

/** Headers on every Management API answer (docs-v2 rate-limit-use-cases.mdx: limit, remaining, reset in epoch seconds). */
export const RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit': intHeader,
  'x-ratelimit-remaining': intHeader,
  'x-ratelimit-reset': intHeader,
};

export const RECORDED_SHAPES: Record<EndpointKey, EndpointShapes> = {
  // ---------------------------------------------------------------- Authentication API
  'POST /oauth/token': {
    'client credentials': {
      status: 200,
      body: z.looseObject({ access_token: str, expires_in: int, token_type: z.literal('Bearer') }),
      source: `${GO_AUTH0_AUTHN}TestLoginWithClientCredentials/Should_return_tokens.yaml #0`,
    },
    // A token carries the scopes of its client grant, space-separated.
    'client credentials with scopes': {
      status: 200,
      body: z.looseObject({ access_token: str, expires_in: int, token_type: z.literal('Bearer'), scope: str }),
      source: `${GO_AUTH0_AUTHN}TestLoginWithClientCredentials/Should_return_tokens.yaml #0 (envelope); ${DOCS_V2}secure/tokens/access-tokens/management-api-access-tokens/get-management-api-access-tokens-for-production.mdx (scope)`,
    },
    'no client grant': {
      status: 403,
      body: z.looseObject({
        error: z.literal('access_denied'),
        error_description: z.string().regex(/^Client is not authorized to access /),
      }),
      source: 'auth0/ruby-auth0 issue #610 (body, quoted in full); auth0/auth0-python issue #173 (403)',
    },
    'wrong secret': {
      // Auth0's OAuth error body for a failed client authentication.
      status: 401,
      body: z.looseObject({ error: z.literal('access_denied'), error_description: str }),
      source:
        'auth0/node-auth0 issue #682 (client credentials answered access_denied/Unauthorized); auth0-samples/auth0-angular-samples issue #201 (401)',
    },
  },
  'POST /dbconnections/change_password': {
    accepted: {
      // A plain-text sentence, not JSON: the same whether or not the user exists.
      status: 200,
      body: { text: z.literal("We've just sent you an email to reset your password.") },
      contentType: 'text/html',
      source: `${GO_AUTH0_AUTHN}TestDatabaseChangePassword.yaml #0`,
    },
  },
  'POST /dbconnections/signup': {
    created: {
      status: 200,
      body: z.looseObject({ _id: z.string().regex(/^(?!auth0\|)/, 'the id without the auth0| prefix'), email: str, email_verified: bool }),
      source: `${GO_AUTH0_AUTHN}TestDatabaseSignUp_WithEmailIdentifier.yaml #0`,
    },
    'user exists': {
      status: 400,
      body: dbconnectionsError(400, ['invalid_signup', 'user_exists']),
      source: 'auth0/go-auth0@d5be7536 authentication/authentication_error_test.go (invalid_signup fixture)',
    },
    'password too weak': {
      status: 400,
      body: dbconnectionsError(400, ['invalid_password']).extend({
        name: z.literal('PasswordStrengthError'),
        message: z.literal('Password is too weak'),
        description: z.looseObject({
          rules: z.array(z.looseObject({ message: str, code: str, verified: bool, format: z.array(int).optional() })),
          verified: z.literal(false),
        }),
        policy: str,
      }),
      source: 'auth0/go-auth0@d5be7536 authentication/authentication_error_test.go ("invalid password response" fixture)',
    },
  },

  // ---------------------------------------------------------------- Management API: users
  'GET /api/v2/users': {
    // The SDK always asks include_totals=true: `{ start, limit, length, users, total }`.
    search: {
      status: 200,
      body: z.looseObject({ start: int, limit: int, length: int, total: int, users: z.array(user) }),
      headers: RATE_LIMIT_HEADERS,
      source: `${GO_AUTH0}TestUserManager_Search.yaml #1`,
    },
    'search with fields': {
      status: 200,
      body: z.looseObject({
        start: int,
        limit: int,
        length: int,
        total: int,
        // Only the fields asked for, though Auth0 may add a few of its own (TestClient_List.yaml #1 adds `tenant`).
        users: z.array(z.looseObject({ user_id: str, app_metadata: obj.optional() })),
      }),
      source: `${GO_AUTH0}TestUserManager_Search.yaml #1 (envelope); ${GO_AUTH0}TestClient_List.yaml #1 (fields + include_fields return only those fields)`,
    },
    'past the first 1000 results': {
      status: 400,
      body: managementError(400, 'invalid_paging').extend({
        message: z.string().startsWith('You can only page through the first 1000 records.'),
      }),
      source: 'auth0/auth0.net issue #979 (the 400 body quoted in full); auth0/node-auth0 issue #1246',
    },
  },
  'GET /api/v2/users/{id}': {
    found: { status: 200, body: user, source: `${GO_AUTH0}TestUserManager_Read.yaml #1` },
    'not found': { status: 404, body: managementError(404, 'inexistent_user'), source: `${GO_AUTH0}TestUserManager_Delete.yaml #2` },
  },
  'POST /api/v2/users': {
    created: { status: 201, body: user, source: `${GO_AUTH0}TestUserManager_Create.yaml #0` },
    'user exists': {
      // Our invite script reads "exists" from this 409 (admin/invite-user.ts).
      status: 409,
      body: managementError(409),
      source:
        'auth0/node-auth0 issue #333 (POST /api/v2/users documents 409 for an existing user); auth0/auth0-python issue #118 (409 Conflict)',
    },
    'password too weak': {
      status: 400,
      body: managementError(400).extend({ message: z.string().regex(/PasswordStrengthError: Password is too weak/) }),
      source: 'auth0/auth0-java issue #283 (POST /api/v2/users: "400: PasswordStrengthError: Password is too weak")',
    },
  },
  'PATCH /api/v2/users/{id}': {
    updated: { status: 200, body: user, source: `${GO_AUTH0}TestUserManager_Update.yaml #1` },
  },
  'DELETE /api/v2/users/{id}': {
    deleted: { status: 204, body: 'empty', source: `${GO_AUTH0}TestUserManager_Delete.yaml #1` },
  },
  'GET /api/v2/users-by-email': {
    found: { status: 200, body: z.array(user), source: `${GO_AUTH0}TestUserManager_ListByEmail.yaml #1` },
  },

  // A user's roles: assigned by id (204, no body), listed with include_totals (`start`, `limit`, `total`, no `length`).
  'POST /api/v2/users/{id}/roles': {
    assigned: { status: 204, body: 'empty', source: `${GO_AUTH0_LATER}TestUserManager_Roles.yaml #2` },
  },
  'GET /api/v2/users/{id}/roles': {
    'with totals': {
      status: 200,
      body: z.looseObject({
        roles: z.array(z.looseObject({ id: z.string().regex(/^rol_/, 'a rol_ id'), name: str, description: str })),
        start: int,
        limit: int,
        total: int,
      }),
      source: `${GO_AUTH0_LATER}TestUserManager_Roles.yaml #3`,
    },
  },

  // ---------------------------------------------------------------- Management API: tickets
  'POST /api/v2/tickets/password-change': {
    created: { status: 201, body: ticket, source: `${GO_AUTH0}TestTicketManager_ChangePassword.yaml #1` },
  },
  'POST /api/v2/tickets/email-verification': {
    created: { status: 201, body: ticket, source: `${GO_AUTH0}TestTicketManager_VerifyEmail.yaml #1` },
  },

  // ---------------------------------------------------------------- Management API: connections and clients
  'GET /api/v2/connections': {
    // Checkpoint pagination (`take`), as the SDK and deploy-cli ask: `{ connections, next? }`.
    'checkpoint page': {
      status: 200,
      body: z.looseObject({ connections: z.array(connection), next: str.optional() }),
      source: `${DEPLOY_CLI_DELETE} #49`,
    },
  },
  'GET /api/v2/connections/{id}': {
    found: {
      status: 200,
      body: connection,
      source: `${GO_AUTH0}TestConnectionManager_Read/It_can_successfully_read_a_Auth0_Connection.yaml #1`,
    },
  },
  'POST /api/v2/connections': {
    created: {
      status: 201,
      body: connection,
      source: `${GO_AUTH0}TestConnectionManager_Create/It_can_successfully_create_a_Auth0_Connection.yaml #0`,
    },
  },
  'PATCH /api/v2/connections/{id}': {
    updated: {
      status: 200,
      body: connection,
      source: `${GO_AUTH0}TestConnectionManager_Update/It_can_successfully_update_a_Auth0_Connection.yaml #1`,
    },
  },
  'GET /api/v2/connections/{id}/clients': {
    found: {
      status: 200,
      body: z.looseObject({ clients: z.array(z.looseObject({ client_id: str })), next: str.optional() }),
      source: `${DEPLOY_CLI_DELETE} #54`,
    },
  },
  'PATCH /api/v2/connections/{id}/clients': {
    updated: { status: 204, body: 'empty', source: `${GO_AUTH0}TestConnectionManager_UpdateEnabledClients_Add.yaml #2` },
  },
  'GET /api/v2/clients': {
    // deploy-cli asks `page=0&per_page=100&include_totals=true&is_global=false`.
    page: {
      status: 200,
      body: z.looseObject({ total: int, start: int, limit: int, clients: z.array(client) }),
      source: `${DEPLOY_CLI_DELETE} #2`,
    },
  },
  'GET /api/v2/clients/{id}': {
    // The invitation Action asks `fields=name,client_metadata&include_fields=true` (a real tenant then answers those fields only).
    found: { status: 200, body: client, source: `${GO_AUTH0}TestClient_Read.yaml #1` },
  },
  'PATCH /api/v2/clients/{id}': {
    updated: { status: 200, body: client, source: `${DEPLOY_CLI_DELETE} #12; ${GO_AUTH0}TestClient_Update.yaml #1` },
  },

  // ---------------------------------------------------------------- Management API: emails
  'GET /api/v2/emails/provider': {
    configured: { status: 200, body: emailProvider, source: `${GO_AUTH0}TestEmailProviderManager_Read.yaml #1` },
    // deploy/plan.ts reads "no provider" from this 404.
    'none configured': {
      status: 404,
      body: managementError(404, 'inexistent_email_provider'),
      source: `${TERRAFORM}TestAccEmailTemplate.yaml #0`,
    },
  },
  'POST /api/v2/emails/provider': {
    created: { status: 201, body: emailProvider, source: `${GO_AUTH0}TestEmailProviderManager_Create.yaml #0` },
  },
  'PATCH /api/v2/emails/provider': {
    updated: { status: 200, body: emailProvider, source: `${GO_AUTH0}TestEmailProviderManager_Update.yaml #1` },
  },
  'POST /api/v2/email-templates': {
    // deploy-cli creates a template only after its PATCH answered 404.
    exists: { status: 409, body: managementError(409), source: `${GO_AUTH0}TestEmailTemplateManager_Create.yaml #0` },
    'resultUrl refused': RESULT_URL_REFUSED,
  },
  // deploy-cli's dry run (`npm run deploy -- --plan`) reads each template it knows by name.
  'GET /api/v2/email-templates/{templateName}': {
    found: { status: 200, body: emailTemplate, source: `${DEPLOY_CLI_DELETE} #215` },
    'not found': { status: 404, body: managementError(404, 'inexistent_email_template'), source: `${DEPLOY_CLI_DELETE} #223` },
  },
  'PATCH /api/v2/email-templates/{templateName}': {
    updated: { status: 200, body: emailTemplate, source: `${TERRAFORM}TestAccEmailTemplate.yaml #4` },
    // deploy-cli falls back to POST on this 404; the body is the one GET answers for a missing template.
    'not found': {
      status: 404,
      body: managementError(404, 'inexistent_email_template'),
      source: `${DEPLOY_CLI_DELETE} #223 (GET of a missing template)`,
    },
    'resultUrl refused': RESULT_URL_REFUSED,
  },

  // ---------------------------------------------------------------- Management API: user export jobs (admin scripts past search's cap)
  'POST /api/v2/jobs/users-exports': {
    // The recording answers 200 (not 201) with the pending job.
    created: {
      status: 200,
      body: exportJob.extend({ status: z.literal('pending') }),
      source: `${GO_AUTH0}TestJobManager_ExportUsers.yaml #2`,
    },
  },
  'GET /api/v2/jobs/{id}': {
    pending: { status: 200, body: exportJob, source: `${GO_AUTH0}TestJobManager_VerifyEmail.yaml #2 (a job read back)` },
    completed: {
      status: 200,
      body: exportJob.extend({ status: z.literal('completed'), location: z.string().url() }),
      source: `${DOCS_V2}manage-users/user-migration/bulk-user-exports.mdx ("location" of a completed job)`,
    },
  },

  // ---------------------------------------------------------------- Management API: actions
  'GET /api/v2/actions/actions': {
    // deploy-cli asks `page=0&per_page=100`; `total` is left out when there are none (#150).
    page: {
      status: 200,
      body: z.looseObject({ actions: z.array(action), total: int.optional(), per_page: int }),
      source: `${DEPLOY_CLI_DELETE} #45, #150`,
    },
  },
  'POST /api/v2/actions/actions': {
    created: { status: 201, body: action, source: `${GO_AUTH0}TestActionManager_Create.yaml #0` },
  },
  'PATCH /api/v2/actions/actions/{id}': {
    updated: { status: 200, body: action, source: `${GO_AUTH0}TestActionManager_Update.yaml #1` },
  },
  'GET /api/v2/actions/actions/{id}': {
    // A create or PATCH leaves the action `pending` until it is built (deploy-cli retries its deploy until then).
    pending: {
      status: 200,
      body: action.extend({ status: z.enum(['pending', 'building', 'built']), current_version: obj.optional() }),
      source: `${GO_AUTH0}TestActionManager_Read.yaml #1; ${GO_AUTH0}TestActionManager_Deploy.yaml #0-#3 (pending, building, built)`,
    },
  },
  'GET /api/v2/actions/actions/{id}/versions': {
    page: {
      status: 200,
      body: z.looseObject({ versions: z.array(actionVersion), total: int, per_page: int }),
      source: `${GO_AUTH0}TestActionManager_Versions.yaml #5`,
    },
  },
  'POST /api/v2/actions/actions/{id}/deploy': {
    deployed: { status: 200, body: actionVersion, source: `${GO_AUTH0}TestActionManager_Deploy.yaml #4` },
  },
  'GET /api/v2/actions/modules': {
    page: {
      status: 200,
      body: z.looseObject({ modules: z.array(obj), total: int, page: int, per_page: int }),
      source: `${DEPLOY_CLI_DELETE} #44`,
    },
  },
  'GET /api/v2/actions/triggers/{triggerId}/bindings': {
    page: {
      status: 200,
      body: z.looseObject({ bindings: z.array(binding), total: int.optional(), per_page: int }),
      source: `${GO_AUTH0}TestActionManager_Bindings.yaml #7; ${DEPLOY_CLI_DELETE} #289 (none: no total)`,
    },
  },
  'PATCH /api/v2/actions/triggers/{triggerId}/bindings': {
    updated: { status: 200, body: z.looseObject({ bindings: z.array(binding) }), source: `${GO_AUTH0}TestActionManager_Bindings.yaml #6` },
  },

  // ---------------------------------------------------------------- Management API: client grants (served, not called: used-endpoints.ts)
  'GET /api/v2/client-grants': {
    // deploy-cli asks `include_totals=true&take=50`: checkpoint pagination.
    'checkpoint page': {
      status: 200,
      body: z.looseObject({ client_grants: z.array(clientGrant), next: str.optional() }),
      source: `${DEPLOY_CLI_KEEP} #59`,
    },
    // The SDK's offset pagination, filtered by client_id.
    page: {
      status: 200,
      body: z.looseObject({ total: int, start: int, limit: int, client_grants: z.array(clientGrant) }),
      source: `${GO_AUTH0}TestClientGrantManager_List.yaml #3`,
    },
  },
  'POST /api/v2/client-grants': {
    created: { status: 201, body: clientGrant, source: `${DEPLOY_CLI_KEEP} #60; ${GO_AUTH0}TestClientGrantManager_Create.yaml #2` },
  },
  'PATCH /api/v2/client-grants/{id}': {
    updated: { status: 200, body: clientGrant, source: `${DEPLOY_CLI_DELETE} #69` },
  },

  // ---------------------------------------------------------------- Management API: tenant
  'GET /api/v2/tenants/settings': {
    read: { status: 200, body: z.looseObject({ friendly_name: str, support_email: str }), source: `${DEPLOY_CLI_DELETE} #204` },
  },
  'GET /api/v2/actions/triggers': {
    list: { status: 200, body: z.looseObject({ triggers: z.array(obj) }), source: `${DEPLOY_CLI_DELETE} #288` },
  },
  'PATCH /api/v2/tenants/settings': {
    updated: {
      status: 200,
      body: z.looseObject({ friendly_name: str, support_email: str }),
      source: `${GO_AUTH0}TestTenantManager.yaml #1; ${DEPLOY_CLI}should-deploy-directory-(JSON)-config-with-keyword-replacements.json #0`,
    },
  },

  // ---------------------------------------------------------------- SendGrid
  'POST /v3/mail/send': {
    // 202 with an empty body and the message id in `x-message-id`.
    accepted: {
      status: 202,
      body: 'empty',
      headers: { 'x-message-id': z.string().min(1) },
      source:
        'twilio/sendgrid-oai@2a6ae182 spec/json/tsg_mail_v3.json (POST /v3/mail/send 202); twilio.com/docs/sendgrid/glossary/x-message-id (202 Accepted carries X-Message-ID)',
    },
    'invalid request': {
      status: 400,
      body: z.looseObject({
        errors: z.array(z.looseObject({ message: str, field: z.union([str, z.null()]).optional(), help: z.unknown().optional() })).min(1),
      }),
      source: 'twilio/sendgrid-oai@2a6ae182 spec/json/tsg_mail_v3.json (PostMailSend400, ErrorResponse)',
    },
    unauthorized: {
      status: 401,
      body: z.looseObject({ errors: z.array(z.looseObject({ message: str })).min(1) }),
      source: 'twilio/sendgrid-oai@2a6ae182 spec/json/tsg_mail_v3.json (PostMailSend401, ErrorResponse)',
    },
  },
};

/**
 * Any Management API endpoint over its rate limit: Auth0's 429 body and the rate-limit headers
 * (body: auth0-extensions/auth0-reset-tenant issue #31, a real tenant's 429 quoted in full;
 * headers: docs-v2 troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-use-cases.mdx).
 * Retry-After is not required: Auth0 documents it for custom rate-limit policies only
 * (rate-limit-policy/custom-rate-limit-policies.mdx), and our RateGovernor falls back to
 * x-ratelimit-reset without it.
 */
export const RATE_LIMITED = {
  status: 429,
  body: z.looseObject({
    statusCode: z.literal(429),
    error: z.literal('Too Many Requests'),
    message: str,
    errorCode: z.literal('too_many_requests'),
  }),
  headers: { ...RATE_LIMIT_HEADERS, 'x-ratelimit-remaining': z.literal('0') },
  source: `auth0-extensions/auth0-reset-tenant issue #31; ${DOCS_V2}troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-use-cases.mdx`,
} as const;

/**
 * Any Management API endpoint called with a token that lacks its scope: 403 `insufficient_scope`,
 * `Insufficient scope, expected any of: <scopes>` (a real tenant's answer in deploy-cli's recording:
 * GET /connections-directory-provisionings without its scope).
 */
export const INSUFFICIENT_SCOPE = {
  status: 403,
  body: managementError(403, 'insufficient_scope').extend({
    message: z.string().regex(/^Insufficient scope, expected any of: [a-z_:, ]+$/),
  }),
  source: `${DEPLOY_CLI_KEEP} GET /api/v2/connections-directory-provisionings 403`,
} as const;
