import { resolve } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_PREVIEWS_DIR, writeEmailPreviews } from '../build/email-previews';

/**
 * `npm run preview`: renders every Auth0 and kept SendGrid email template, in each branch and
 * language, with sample data, to HTML files and an index page.
 */
const program = new Command('npm run preview --')
  .description('Render every email template with sample data to HTML files with an index page.')
  .option('--out <dir>', 'folder to write the previews to', DEFAULT_PREVIEWS_DIR)
  .parse();

const { out } = program.opts<{ out: string }>();

writeEmailPreviews(resolve(out))
  .then((previews) => {
    const templates = new Set(previews.map((p) => `${p.engine}-${p.template}`)).size;
    console.log(`Wrote ${previews.length} previews of ${templates} templates. Open ${resolve(out, 'index.html')}`);
  })
  .catch((error: unknown) => {
    console.error(`Preview failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
