import { parseInviteConnections, type InviteMode } from '../actions/invite-on-registration/settings';
import { hasNonUniqueEmails, type DatabaseConnectionConfig } from './tenant-connections';

/**
 * `/dbconnections/change_password` does not work on a connection with non-unique emails (the
 * address does not name one user), so every such connection must invite by ticket. Any
 * connection can receive invited users (created with `app_metadata.invite: true`), so the
 * mode that counts is the connection's own in INVITE_CONNECTIONS, else INVITE_MODE.
 * Returns one message per offending connection; empty when all is well.
 */
export function invitationModeProblems(
  connections: DatabaseConnectionConfig[],
  inviteConnections: string | undefined,
  inviteMode: string | undefined,
  where: string,
): string[] {
  const ignored: string[] = [];
  const perConnection = parseInviteConnections(inviteConnections === '' ? undefined : inviteConnections, ignored);
  const defaultMode: InviteMode = inviteMode === 'ticket' ? 'ticket' : 'change_password';
  return connections.filter(hasNonUniqueEmails).flatMap((connection) => {
    const mode = perConnection.get(connection.name) ?? defaultMode;
    return mode === 'ticket'
      ? []
      : [
          `${where}: connection "${connection.name}" has non-unique emails (options.attributes.email.unique: false), ` +
            `so its invitations must use the ticket mode, but they would use "${mode}". ` +
            `Add "${connection.name}:ticket" to INVITE_CONNECTIONS or set INVITE_MODE to "ticket".`,
        ];
  });
}
