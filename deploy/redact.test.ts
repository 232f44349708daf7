import { outputRedactor, redactingLineWriter } from './redact';

test('secret values and email addresses never reach the printed output', () => {
  const redact = outputRedactor(['SG.super-secret-key', 'short']);
  expect(redact('key SG.super-secret-key for support@example.com, short word')).toBe('key [redacted] for [email], short word');
});

test('a value split across two chunks is still caught', () => {
  const out: string[] = [];
  const writer = redactingLineWriter(outputRedactor(['SG.super-secret-key']), (text) => out.push(text));
  writer.write('Updated: SG.super-');
  writer.write('secret-key done\nnext sup');
  writer.write('port@example.com');
  writer.end();
  expect(out.join('')).toBe('Updated: [redacted] done\nnext [email]');
});
