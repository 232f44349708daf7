import { runMain } from '../admin/cli';
import { inviteCommand } from '../admin/invite-command';

runMain(inviteCommand);
