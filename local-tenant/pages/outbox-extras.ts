import type { TenantContext } from '../context';
import type { ActionExecutionView, OutboxPageExtras, OutboxUserView } from '../mail';
import type { ActionExecutionRecord } from '../state/types';

/** The users and Action executions shown beside the emails on the outbox page. */
export function outboxPageExtras(ctx: TenantContext): OutboxPageExtras {
  const { data } = ctx.store;
  return {
    users: data.users.map((u) => {
      const view: OutboxUserView = {
        user_id: u.user_id,
        email_verified: u.email_verified,
        connection: u.connection,
        app_metadata: u.app_metadata,
      };
      if (u.email !== undefined) view.email = u.email;
      if (u.username !== undefined) view.username = u.username;
      return view;
    }),
    executions: data.action_executions.flatMap((execution) =>
      execution.results.map((result) => {
        const view: ActionExecutionView = {
          action: result.action_name,
          trigger: execution.trigger_id,
          time: execution.started_at,
          logs: result.logs,
          outcome: result.error ? `error: ${result.error}` : notificationOutcome(execution.notification),
        };
        if (execution.user_id !== undefined) view.user_id = execution.user_id;
        return view;
      }),
    ),
  };
}

/** custom-email-provider: what the attempt came to, e.g. `reset_email retry: sendgrid_http_503 (attempt 1)`. */
function notificationOutcome(notification: ActionExecutionRecord['notification']): string {
  if (notification === undefined) return 'ok';
  const reason = notification.reason === undefined ? '' : `: ${notification.reason}`;
  return `${notification.message_type} ${notification.outcome}${reason} (attempt ${notification.attempt})`;
}
