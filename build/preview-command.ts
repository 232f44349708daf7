import { resolve } from 'node:path';
import { Command } from 'commander';
import { EXIT, type CommandDefinition } from '../admin/cli';
import { DEFAULT_PREVIEWS_DIR, writeEmailPreviews } from './email-previews';

/**
 * `npm run preview`: renders every Auth0 and kept SendGrid email template, in each branch and
 * language, with sample data, to HTML files and an index page.
 */
export const previewCommand: CommandDefinition<{ out: string }> = {
  name: 'preview',
  program: () =>
    new Command('npm run preview --')
      .description('Render every email template with sample data to HTML files with an index page.')
      .option('--out <dir>', 'folder to write the previews to', DEFAULT_PREVIEWS_DIR),

  async run({ out }) {
    const previews = await writeEmailPreviews(resolve(out));
    const templates = new Set(previews.map((p) => `${p.engine}-${p.template}`)).size;
    console.log(`Wrote ${previews.length} previews of ${templates} templates. Open ${resolve(out, 'index.html')}`);
    return EXIT.ok;
  },
};
