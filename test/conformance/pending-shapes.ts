/**
 * PENDING: shapes of real-tenant answers for the endpoints and rules other branches are adding to
 * the local tenant (client grants and scopes, user export jobs, the search cap, template
 * `resultUrl` on non-enterprise tenants, password policy, action versions). No test uses them
 * yet. The lead enables them after merging those branches: move each entry into
 * RECORDED_SHAPES (recorded-shapes.ts), add the endpoint to USED_ENDPOINTS (used-endpoints.ts)
 * where our code or deploy-cli calls it, and add a probe for each case to conformance.test.ts.
 * The coverage test then requires all three, so none can be forgotten.
 */
import { z } from 'zod';
import { actionVersion, DEPLOY_CLI, DOCS_V2, GO_AUTH0, GO_AUTH0_AUTHN } from './recorded-shapes';
import { bool, dbconnectionsError, int, managementError, obj, str, type EndpointKey, type EndpointShapes } from './shape-kit';

const DEPLOY_CLI_KEEP = `${DEPLOY_CLI}should-deploy-without-deleting-resources-if-AUTH0_ALLOW_DELETE-is-false.json`;

// A client grant (go-auth0 TestClientGrantManager_Create.yaml #2): the scopes are an array of strings.
const clientGrant = z.looseObject({ id: z.string().regex(/^cgr_/, 'a cgr_ id'), client_id: str, audience: str, scope: z.array(str) });

// An export job (go-auth0 TestJobManager_ExportUsers.yaml #2); once `completed`, `location` is the
// gzipped file's URL (docs-v2 manage-users/user-migration/bulk-user-exports.mdx, "Check job status").

/** `Insufficient scope, expected any of: <scopes>` (deploy-cli recording: GET /connections-directory-provisionings without its scope). */
export const INSUFFICIENT_SCOPE = {
  status: 403,
  body: managementError(403, 'insufficient_scope').extend({
    message: z.string().regex(/^Insufficient scope, expected any of: [a-z_:, ]+$/),
  }),
  source: `${DEPLOY_CLI_KEEP} GET /api/v2/connections-directory-provisionings 403`,
} as const;

export const PENDING_SHAPES: Record<EndpointKey, EndpointShapes> = {
  // ---------------------------------------------------------------- scopes and client grants
  'POST /oauth/token': {
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
  },
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
    updated: {
      status: 200,
      body: clientGrant,
      source: `${DEPLOY_CLI}should-deploy-while-deleting-resources-if-AUTH0_ALLOW_DELETE-is-true.json #69`,
    },
  },
  // Any Management API endpoint called without its scope.
  '(any Management API endpoint)': { 'insufficient scope': INSUFFICIENT_SCOPE },

  // ---------------------------------------------------------------- user search cap and export jobs
  'GET /api/v2/users': {
    'past the first 1000 results': {
      status: 400,
      body: managementError(400, 'invalid_paging').extend({
        message: z.string().startsWith('You can only page through the first 1000 records.'),
      }),
      source: 'auth0/auth0.net issue #979 (the 400 body quoted in full); auth0/node-auth0 issue #1246',
    },
  },
  // ---------------------------------------------------------------- email template Redirect To on non-enterprise tenants
  'PATCH /api/v2/email-templates/{templateName}': {
    'resultUrl refused': {
      status: 403,
      body: managementError(403).extend({ message: z.literal('Customizations for resultUrl are not allowed for non-enterprise tenants') }),
      source: `${DOCS_V2}customize/email/email-templates/customize-email-templates.mdx (URL lifetime and Redirect To)`,
    },
  },
  'POST /api/v2/email-templates': {
    'resultUrl refused': {
      status: 403,
      body: managementError(403).extend({ message: z.literal('Customizations for resultUrl are not allowed for non-enterprise tenants') }),
      source: `${DOCS_V2}customize/email/email-templates/customize-email-templates.mdx (URL lifetime and Redirect To)`,
    },
  },

  // ---------------------------------------------------------------- password policy
  'POST /dbconnections/signup': {
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
  'POST /api/v2/users': {
    'password too weak': {
      status: 400,
      body: managementError(400).extend({ message: z.string().regex(/PasswordStrengthError: Password is too weak/) }),
      source: 'auth0/auth0-java issue #283 (POST /api/v2/users: "400: PasswordStrengthError: Password is too weak")',
    },
  },

  // ---------------------------------------------------------------- action versions
  'GET /api/v2/actions/actions/{id}/versions': {
    page: {
      status: 200,
      body: z.looseObject({ versions: z.array(actionVersion), total: int, per_page: int }),
      source: `${GO_AUTH0}TestActionManager_Versions.yaml #5`,
    },
  },
  'GET /api/v2/actions/actions/{id}': {
    // A PATCH leaves the action `pending` until it is built (deploy-cli waits for `built`).
    pending: {
      status: 200,
      body: z.looseObject({
        id: str,
        status: z.enum(['pending', 'building', 'built']),
        all_changes_deployed: bool,
        current_version: obj.optional(),
      }),
      source: `${GO_AUTH0}TestActionManager_Read.yaml #1; ${GO_AUTH0}TestActionManager_Deploy.yaml #0-#3 (pending, building, built)`,
    },
  },
};
