import { runMain } from '../admin/cli';
import { deployCommand } from '../deploy/deploy-command';

runMain(deployCommand);
