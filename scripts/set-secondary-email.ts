import { runMain } from '../admin/cli';
import { setSecondaryEmailCommand } from '../admin/set-secondary-email-command';

runMain(setSecondaryEmailCommand);
