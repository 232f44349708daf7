import { runMain } from '../admin/cli';
import { previewCommand } from '../build/preview-command';

runMain(previewCommand);
