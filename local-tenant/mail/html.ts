// HTML escaping for text and attribute values (double- or single-quoted).
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: string | undefined): string {
  return (value ?? '').replace(/[&<>"'`]/g, (ch) => ENTITIES[ch] ?? ch);
}
