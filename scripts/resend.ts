import { runMain } from '../admin/cli';
import { resendCommand } from '../admin/resend-command';

runMain(resendCommand);
