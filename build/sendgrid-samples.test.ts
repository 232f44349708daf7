// The SendGrid samples reach every branch of every kept template: each `{{#if field}}` is seen
// true and false, each `{{#equals field "value"}}` matched and not, so a preview of each exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TEMPLATES_DIR, loadKeptTemplates } from '../email-templates/engines';
import { sendgridEmailSamples } from './sendgrid-samples';

const manifest = JSON.parse(readFileSync(join(DEFAULT_TEMPLATES_DIR, 'templates.json'), 'utf8')) as Record<
  string,
  { name: string; subject: string; html: string }
>;

test.each(Object.values(manifest).map((entry) => [entry.name, entry] as const))(
  'the samples of %s take every branch of its HTML and subject',
  (name, entry) => {
    const source = `${entry.subject}\n${readFileSync(join(DEFAULT_TEMPLATES_DIR, entry.html), 'utf8')}`;
    const samples = sendgridEmailSamples(name);
    const conditions = [...source.matchAll(/\{\{#(if|unless|equals|notEquals)\s+(\w+)(?:\s+"([^"]*)")?/g)];
    expect(conditions.length).toBeGreaterThan(0);
    for (const [, helper, field, value] of conditions) {
      const holds = samples.map((s) =>
        helper === 'equals' || helper === 'notEquals' ? String(s.data[field!]) === value : Boolean(s.data[field!]),
      );
      expect({ helper, field, value, someTrue: holds.includes(true), someFalse: holds.includes(false) }).toEqual({
        helper,
        field,
        value,
        someTrue: true,
        someFalse: true,
      });
    }
  },
);

test('sample ids are unique, and every sample renders with the local renderer', () => {
  const templates = [...loadKeptTemplates().values()];
  const samples = templates.flatMap((t) => sendgridEmailSamples(t.name));
  expect(new Set(samples.map((s) => s.id)).size).toBe(samples.length);
  for (const template of templates)
    for (const sample of sendgridEmailSamples(template.name)) expect(template.render(sample.data).html.length).toBeGreaterThan(500);
});

test('a template without sample data is refused, naming it and where to add it', () => {
  expect(() => sendgridEmailSamples('receipt')).toThrow(
    'No sample data for the SendGrid template "receipt": add the data it reads to TEMPLATE_DATA in build/sendgrid-samples.ts (known: invite, verify, welcome, partner-verify, partner-welcome, password-reset).',
  );
});
