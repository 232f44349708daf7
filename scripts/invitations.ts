import { runMain } from '../admin/cli';
import { invitationsCommand } from '../admin/invitations-command';

runMain(invitationsCommand);
