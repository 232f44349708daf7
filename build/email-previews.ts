import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readEmailTemplates } from '../deploy/template-validation';
import { escapeHtml } from '../local-tenant/mail/html';
import { renderAuth0Template, DEFAULT_TEMPLATES_DIR as SENDGRID_TEMPLATES_DIR, loadKeptTemplates } from '../email-templates/engines';
import { auth0EmailSamples } from './email-samples';
import { sendgridEmailSamples } from './sendgrid-samples';

/**
 * `npm run preview`: every Auth0 email template of tenant/emails (Liquid) and every kept SendGrid
 * template (Handlebars), rendered with the sample data of each branch and language by the same
 * engines the local tenant and the deploy's check use (email-templates/engines.ts), written as one HTML file each plus an index page.
 */

export const TENANT_DIR = resolve(__dirname, '..', 'tenant');
export const DEFAULT_PREVIEWS_DIR = resolve(__dirname, '..', 'dist', 'previews');

export interface EmailPreview {
  /** Who renders and sends it: Auth0 (Liquid) or SendGrid (Handlebars). */
  engine: 'auth0' | 'sendgrid';
  /** `reset_email`, `invite`, ... */
  template: string;
  branch: string;
  language: string;
  /** True when the sample's user-controlled fields carry markup that must come out escaped. */
  hostile: boolean;
  /** The application the email is for: the default one, or one with its own wording or templates. */
  application: string;
  description: string;
  /** False for an Auth0 template the tenant keeps disabled (an Action sends that email instead). */
  enabled: boolean;
  subject: string;
  html: string;
  /** Path of the HTML file, relative to the previews folder, with forward slashes. */
  file: string;
}

interface PreviewSources {
  /** A deploy-cli directory whose `emails/` holds the Auth0 templates (default tenant/). */
  tenantDir?: string;
  sendgridTemplatesDir?: string;
}

/** Renders every template with every sample; nothing is written. */
export async function renderEmailPreviews(sources: PreviewSources = {}): Promise<EmailPreview[]> {
  const previews: EmailPreview[] = [];
  for (const template of readEmailTemplates(sources.tenantDir ?? TENANT_DIR)) {
    for (const sample of auth0EmailSamples(template.template)) {
      const rendered = await renderAuth0Template(template, sample.variables);
      previews.push({
        engine: 'auth0',
        template: template.template,
        branch: sample.branch,
        language: sample.language,
        hostile: sample.hostile,
        application: sample.application,
        description: sample.description,
        enabled: template.enabled,
        subject: rendered.subject,
        html: rendered.html,
        file: `auth0-${template.template}/${sample.id.slice(template.template.length + 1)}.html`,
      });
    }
  }
  const kept = [...loadKeptTemplates(sources.sendgridTemplatesDir ?? SENDGRID_TEMPLATES_DIR).values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const template of kept) {
    for (const sample of sendgridEmailSamples(template.name)) {
      const rendered = template.render(sample.data);
      previews.push({
        engine: 'sendgrid',
        template: template.name,
        branch: sample.branch,
        language: sample.language,
        hostile: sample.hostile,
        application: sample.application,
        description: sample.description,
        enabled: true,
        subject: rendered.subject,
        html: rendered.html,
        file: `sendgrid-${template.name}/${sample.id.slice(template.name.length + 1)}.html`,
      });
    }
  }
  return previews;
}

/** The index page: one section per template, one row per preview, labelled and linked. */
function previewIndexHtml(previews: readonly EmailPreview[]): string {
  const sections: string[] = [];
  const groups = new Map<string, EmailPreview[]>();
  for (const preview of previews) {
    const key = `${preview.engine}-${preview.template}`;
    groups.set(key, [...(groups.get(key) ?? []), preview]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const kind =
      first.engine === 'auth0' ? 'Auth0 template (Liquid), tenant/emails' : 'SendGrid dynamic template (Handlebars), sendgrid-templates';
    const status = first.enabled ? '' : ' <span class="off">disabled in the tenant: an Action sends this email through SendGrid</span>';
    const rows = group.map(
      (p) =>
        `<tr><td><a href="${escapeHtml(p.file)}">${escapeHtml(p.file.slice(p.file.indexOf('/') + 1, -'.html'.length))}</a></td>` +
        `<td>${escapeHtml(p.application)}</td><td>${escapeHtml(p.branch)}</td><td>${escapeHtml(p.language)}</td>` +
        `<td>${escapeHtml(p.description)}</td><td>${escapeHtml(p.subject)}</td></tr>`,
    );
    sections.push(
      `<section><h2>${escapeHtml(first.template)} <small>${escapeHtml(kind)}</small>${status}</h2>\n` +
        `<table><thead><tr><th>Preview</th><th>Application</th><th>Branch</th><th>Language</th><th>Sample</th><th>Subject</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></section>`,
    );
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Email previews</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2933}
table{border-collapse:collapse;width:100%;margin-bottom:24px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7eb;font-size:14px;vertical-align:top}
small{color:#52606d;font-weight:normal;font-size:13px}
.off{color:#b44d12;font-size:13px;font-weight:normal}
</style></head>
<body>
<h1>Email previews</h1>
<p>${previews.length} previews: every Auth0 template of the tenant and every kept SendGrid template, in each branch and language, for each application of the tenant where its emails differ, rendered with sample data (build/email-samples.ts, build/sendgrid-samples.ts). Samples marked "HTML markup" carry markup in user-controlled fields; it must show as text.</p>
${sections.join('\n')}
</body></html>
`;
}

/**
 * Renders every preview and writes them, with index.html, into `outDir`. Previews of an earlier
 * run are removed first (a renamed template leaves none behind); nothing else in `outDir` is touched.
 */
export async function writeEmailPreviews(outDir: string = DEFAULT_PREVIEWS_DIR, sources: PreviewSources = {}): Promise<EmailPreview[]> {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new Error(`${outDir} is a file: the previews need a folder.`);
  const previews = await renderEmailPreviews(sources);
  mkdirSync(outDir, { recursive: true });
  for (const entry of readdirSync(outDir)) {
    if (/^(auth0|sendgrid)-/.test(entry) || entry === 'index.html') rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  for (const preview of previews) {
    const path = join(outDir, preview.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, preview.html);
  }
  writeFileSync(join(outDir, 'index.html'), previewIndexHtml(previews));
  return previews;
}
