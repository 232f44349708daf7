import { runMain } from '../admin/cli';
import { buildCommand } from '../build/build-command';

runMain(buildCommand);
