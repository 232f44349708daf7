import { runMain } from '../admin/cli';
import { startCommand } from '../local-tenant/start-command';

runMain(startCommand);
