import { runMain } from '../admin/cli';
import { resetPasswordCommand } from '../admin/reset-password-command';

runMain(resetPasswordCommand);
