/**
 * The Management API scopes of each machine-to-machine application of this project, derived
 * from the calls each one makes: every call below is listed with the one scope chosen for it
 * among those Auth0 accepts for that endpoint (local-tenant/management-api/scopes.ts holds
 * Auth0's table; test/e2e/scopes.test.ts checks each choice against it and each list against
 * the requests the application really sends to the local tenant). The local tenant grants each
 * local application exactly these; docs/scopes.md lists them for a real tenant.
 */

export type ApplicationName = 'deploy' | 'actions' | 'admin';

interface ManagementCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The endpoint as Auth0's reference writes it, relative to /api/v2. */
  path: string;
  /** The scope this application holds for the call: the narrowest of those Auth0 accepts. */
  scope: string;
  /** Who makes the call, for the reader. */
  by: string;
  /**
   * The deploy application's calls: sent by auth0-deploy-cli, by our own deploy code (deploy/),
   * or by both. The other applications' calls are all our code's.
   */
  sender?: 'deploy-cli' | 'ours' | 'both';
}

const deployCli = 'auth0-deploy-cli import (deploy/deploy-cli.ts)';
const deployPlan = 'the plan and the read-back of npm run deploy (deploy/plan.ts, deploy/connection-guards.ts, deploy-cli --dry-run)';

export const APPLICATION_CALLS: Record<ApplicationName, readonly ManagementCall[]> = {
  /**
   * auth0-deploy-cli 8.44 for the managed types (deploy/deploy-cli.ts MANAGED_RESOURCE_TYPES),
   * as the local tenant's request log shows a first import, a second one and a plan. The login
   * application exists before the first deploy (docs/scopes.md), so clients are only updated.
   */
  deploy: [
    { method: 'GET', path: '/actions/actions', scope: 'read:actions', by: deployCli, sender: 'deploy-cli' },
    { method: 'GET', path: '/actions/triggers', scope: 'read:actions', by: deployPlan, sender: 'deploy-cli' },
    { method: 'GET', path: '/actions/modules', scope: 'read:actions', by: deployCli, sender: 'deploy-cli' },
    { method: 'GET', path: '/actions/triggers/{triggerId}/bindings', scope: 'read:actions', by: deployPlan, sender: 'ours' },
    { method: 'POST', path: '/actions/actions', scope: 'create:actions', by: deployCli, sender: 'deploy-cli' },
    { method: 'POST', path: '/actions/actions/{id}/deploy', scope: 'create:actions', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/actions/actions/{id}', scope: 'update:actions', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/actions/triggers/{triggerId}/bindings', scope: 'update:actions', by: deployCli, sender: 'deploy-cli' },
    { method: 'GET', path: '/clients', scope: 'read:clients', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/clients/{id}', scope: 'update:clients', by: deployCli, sender: 'deploy-cli' },
    {
      method: 'GET',
      path: '/connections',
      scope: 'read:connections',
      by: `${deployCli}; the rename guard (deploy/connection-guards.ts)`,
      sender: 'both',
    },
    { method: 'GET', path: '/connections/{id}', scope: 'read:connections', by: deployCli, sender: 'deploy-cli' },
    { method: 'GET', path: '/connections/{id}/clients', scope: 'read:connections', by: deployCli, sender: 'deploy-cli' },
    { method: 'POST', path: '/connections', scope: 'create:connections', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/connections/{id}', scope: 'update:connections', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/connections/{id}/clients', scope: 'update:connections', by: deployCli, sender: 'deploy-cli' },
    { method: 'GET', path: '/email-templates/{templateName}', scope: 'read:email_templates', by: deployPlan, sender: 'deploy-cli' },
    { method: 'POST', path: '/email-templates', scope: 'create:email_templates', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/email-templates/{templateName}', scope: 'update:email_templates', by: deployCli, sender: 'deploy-cli' },
    {
      method: 'GET',
      path: '/emails/provider',
      scope: 'read:email_provider',
      by: `${deployCli}; the plan (deploy/plan.ts)`,
      sender: 'both',
    },
    { method: 'POST', path: '/emails/provider', scope: 'create:email_provider', by: deployCli, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/emails/provider', scope: 'update:email_provider', by: deployCli, sender: 'deploy-cli' },
    { method: 'GET', path: '/tenants/settings', scope: 'read:tenant_settings', by: deployPlan, sender: 'deploy-cli' },
    { method: 'PATCH', path: '/tenants/settings', scope: 'update:tenant_settings', by: deployCli, sender: 'deploy-cli' },
  ],
  /** The Actions (actions/shared/management-api.ts): tickets, and app_metadata flags. */
  actions: [
    { method: 'POST', path: '/tickets/password-change', scope: 'create:user_tickets', by: 'invitations (actions/shared/invitation.ts)' },
    {
      method: 'POST',
      path: '/tickets/email-verification',
      scope: 'create:user_tickets',
      by: 'verification emails (actions/shared/verification-email.ts)',
    },
    {
      method: 'PATCH',
      path: '/users/{id}',
      scope: 'update:users_app_metadata',
      by: 'the invite flag and the invitation record, app_metadata only (updateAppMetadata)',
    },
    {
      method: 'GET',
      path: '/clients/{id}',
      scope: 'read:clients',
      by: 'a ticket invitation for another application (app_metadata.app): its name and client_metadata (getApplication)',
    },
  ],
  /** The administrator scripts (admin/, run by scripts/). */
  admin: [
    { method: 'POST', path: '/users', scope: 'create:users', by: 'invite, bulk invite (admin/invite-user.ts)' },
    {
      method: 'GET',
      path: '/users',
      scope: 'read:users',
      by: 'search: resend, confirmations, lookups (admin/find-user.ts, admin/resend.ts)',
    },
    { method: 'GET', path: '/users/{id}', scope: 'read:users', by: 'lookups by user id (admin/find-user.ts)' },
    { method: 'GET', path: '/users-by-email', scope: 'read:users', by: 'lookups by email (admin/find-user.ts)' },
    {
      method: 'POST',
      path: '/users/{id}/roles',
      scope: 'create:role_members',
      by: 'invite --roles: roles given to each created user (admin/invite-user.ts)',
    },
    { method: 'POST', path: '/jobs/users-exports', scope: 'read:users', by: 'listing more users than search returns' },
    { method: 'GET', path: '/jobs/{id}', scope: 'read:users', by: 'polling the export job' },
    {
      method: 'PATCH',
      path: '/users/{id}',
      scope: 'update:users_app_metadata',
      by: 'secondary email, invitation records (app_metadata only)',
    },
    {
      method: 'PATCH',
      path: '/users/{id}',
      scope: 'update:users',
      by: 'invitations revoke --how block (`blocked` is not app_metadata) (admin/invitations.ts)',
    },
    { method: 'DELETE', path: '/users/{id}', scope: 'delete:users', by: 'invitations revoke --how delete (admin/invitations.ts)' },
    { method: 'POST', path: '/tickets/password-change', scope: 'create:user_tickets', by: 'direct invitations, password resets' },
    { method: 'POST', path: '/tickets/email-verification', scope: 'create:user_tickets', by: 'resend --verification' },
    { method: 'GET', path: '/connections', scope: 'read:connections', by: 'the connection of each row (admin/connections.ts)' },
  ],
};

/** The scopes to grant the application: one per call, each once, sorted. */
export function applicationScopes(application: ApplicationName): string[] {
  return [...new Set(APPLICATION_CALLS[application].map((call) => call.scope))].sort();
}
