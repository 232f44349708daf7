// The outbox page: every delivered email rendered in a sandboxed iframe, beside the Action
// executions and the users with their app_metadata. A pure function of its data.
import { createHash } from 'node:crypto';
import { escapeHtml } from './html';
import type { OutboxEmail } from './outbox';

export interface ActionExecutionView {
  action: string;
  trigger: string;
  /** ISO 8601. */
  time: string;
  user_id?: string;
  logs: string[];
  /** Free-form outcome such as `ok`, `error: ...`, `timeout`. */
  outcome?: string;
}

export interface OutboxUserView {
  user_id: string;
  email?: string;
  username?: string;
  email_verified?: boolean;
  connection?: string;
  app_metadata: Record<string, unknown>;
}

/** What the server supplies besides the emails. */
export interface OutboxPageExtras {
  executions: ActionExecutionView[];
  users: OutboxUserView[];
}

export interface OutboxPageData extends OutboxPageExtras {
  emails: OutboxEmail[];
}

interface OutboxPageOptions {
  title?: string;
  /** URL answering `{ fingerprint }`; the page reloads itself when it changes. Omit to disable. */
  fingerprintUrl?: string;
  /** URL that a DELETE clears the outbox with; omit to hide the button. */
  clearUrl?: string;
  /** Link for each email's HTML alone; `{id}` is replaced. */
  emailHtmlUrl?: string;
  pollMilliseconds?: number;
}

/** Changes whenever anything shown on the page changes. */
export function outboxPageFingerprint(data: OutboxPageData): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
}

/** Makes every link of the email open in the top window (the page), not inside the iframe. */
export function withTopTargetLinks(html: string): string {
  const base = '<base target="_top">';
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + base + html.slice(head.index + head[0].length);
  const htmlTag = /<html(\s[^>]*)?>/i.exec(html);
  if (htmlTag)
    return `${html.slice(0, htmlTag.index + htmlTag[0].length)}<head>${base}</head>${html.slice(htmlTag.index + htmlTag[0].length)}`;
  return base + html;
}

function describeSource(email: OutboxEmail): string {
  const parts: string[] = [];
  if (email.sender) parts.push(`action <strong>${escapeHtml(email.sender)}</strong>`);
  if (email.source.kind === 'sendgrid') {
    const template =
      email.source.templateId === undefined
        ? 'SendGrid, inline content'
        : `SendGrid template ${email.source.templateName ? `<strong>${escapeHtml(email.source.templateName)}</strong> ` : ''}<code>${escapeHtml(email.source.templateId)}</code>${email.source.templateName ? '' : ' (not kept: raw data)'}`;
    parts.push(template);
  } else {
    parts.push(`Auth0 template <strong>${escapeHtml(email.source.template)}</strong>`);
  }
  return parts.join(' · ');
}

function renderEmail(email: OutboxEmail, options: OutboxPageOptions): string {
  const recipients = [
    `<dt>To</dt><dd>${escapeHtml(email.to.join(', '))}</dd>`,
    email.cc?.length ? `<dt>Cc</dt><dd>${escapeHtml(email.cc.join(', '))}</dd>` : '',
    email.bcc?.length ? `<dt>Bcc</dt><dd>${escapeHtml(email.bcc.join(', '))}</dd>` : '',
  ].join('');
  const from = email.fromName ? `${email.fromName} <${email.from}>` : email.from;
  const categories = email.categories.length
    ? `<dt>Categories</dt><dd>${email.categories.map((c) => `<span class="tag">${escapeHtml(c)}</span>`).join(' ')}</dd>`
    : '';
  const alone = options.emailHtmlUrl
    ? ` · <a href="${escapeHtml(options.emailHtmlUrl.replace('{id}', encodeURIComponent(email.id)))}" target="_blank" rel="noopener">open alone</a>`
    : '';
  // No allow-scripts and no allow-same-origin: the email runs no code and cannot reach this page;
  // top navigation on a click lets a person follow the invitation link.
  return `<article class="email" id="email-${escapeHtml(email.id)}" data-email-id="${escapeHtml(email.id)}">
  <h2 class="subject">${escapeHtml(email.subject || '(no subject)')}</h2>
  <dl>
    ${recipients}
    <dt>From</dt><dd>${escapeHtml(from)}</dd>
    <dt>Sent by</dt><dd class="sender">${describeSource(email)}</dd>
    ${email.user_id ? `<dt>User</dt><dd>${escapeHtml(email.user_id)}</dd>` : ''}
    <dt>Time</dt><dd><time datetime="${escapeHtml(email.time)}">${escapeHtml(email.time)}</time>${alone}</dd>
    ${categories}
  </dl>
  <iframe class="body" title="${escapeHtml(`Email: ${email.subject}`)}" sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" referrerpolicy="no-referrer" srcdoc="${escapeHtml(withTopTargetLinks(email.html))}"></iframe>
</article>`;
}

function renderExecution(execution: ActionExecutionView): string {
  const logs = execution.logs.length
    ? `<pre class="logs">${escapeHtml(execution.logs.join('\n'))}</pre>`
    : '<p class="muted">No log output.</p>';
  return `<li class="execution">
  <div><strong>${escapeHtml(execution.action)}</strong> <span class="tag">${escapeHtml(execution.trigger)}</span>${execution.outcome ? ` <span class="tag">${escapeHtml(execution.outcome)}</span>` : ''}</div>
  <div class="muted"><time datetime="${escapeHtml(execution.time)}">${escapeHtml(execution.time)}</time>${execution.user_id ? ` · ${escapeHtml(execution.user_id)}` : ''}</div>
  ${logs}
</li>`;
}

function renderUser(user: OutboxUserView): string {
  const verified =
    user.email_verified === undefined
      ? ''
      : user.email_verified
        ? ' <span class="tag ok">verified</span>'
        : ' <span class="tag">unverified</span>';
  return `<li class="user">
  <div><strong>${escapeHtml(user.username ?? user.email ?? user.user_id)}</strong>${verified}</div>
  <div class="muted">${escapeHtml(user.user_id)}${user.email ? ` · ${escapeHtml(user.email)}` : ''}${user.connection ? ` · ${escapeHtml(user.connection)}` : ''}</div>
  <pre class="metadata">${escapeHtml(JSON.stringify(user.app_metadata, null, 2))}</pre>
</li>`;
}

const STYLE = `
  body { margin: 0; font-family: system-ui, Helvetica, Arial, sans-serif; background: #f4f5f7; color: #1f2933; }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 24px; background: #1f2933; color: #fff; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  header button { background: #fff; border: 0; border-radius: 4px; padding: 6px 12px; cursor: pointer; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; padding: 24px; }
  @media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
  section h2.title { font-size: 16px; text-transform: uppercase; letter-spacing: .05em; color: #52606d; }
  .email, .execution, .user { background: #fff; border-radius: 8px; padding: 16px; margin: 0 0 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); list-style: none; }
  ul { padding: 0; margin: 0; }
  .email h2.subject { font-size: 17px; margin: 0 0 8px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; font-size: 14px; }
  dt { color: #52606d; } dd { margin: 0; overflow-wrap: anywhere; }
  iframe.body { width: 100%; height: 480px; border: 1px solid #d9dde3; border-radius: 6px; background: #fff; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f5f7; padding: 8px; border-radius: 4px; font-size: 12px; margin: 8px 0 0; }
  .muted { color: #52606d; font-size: 13px; }
  .tag { display: inline-block; background: #e4e7eb; border-radius: 10px; padding: 0 8px; font-size: 12px; }
  .tag.ok { background: #c6f7d0; }
`;

function refreshScript(fingerprint: string, options: OutboxPageOptions): string {
  const config = JSON.stringify({
    fingerprint,
    fingerprintUrl: options.fingerprintUrl ?? null,
    clearUrl: options.clearUrl ?? null,
    poll: options.pollMilliseconds ?? 2000,
  }).replace(/</g, '\\u003c');
  return `<script>
(() => {
  const config = ${config};
  const clear = document.getElementById('clear-outbox');
  if (clear && config.clearUrl) clear.addEventListener('click', async () => {
    await fetch(config.clearUrl, { method: 'DELETE' });
    location.reload();
  });
  if (!config.fingerprintUrl) return;
  setInterval(async () => {
    try {
      const response = await fetch(config.fingerprintUrl, { cache: 'no-store' });
      const body = await response.json();
      if (body.fingerprint !== config.fingerprint) location.reload();
    } catch { /* server restarting: try again on the next tick */ }
  }, config.poll);
})();
</script>`;
}

export function renderOutboxPage(data: OutboxPageData, options: OutboxPageOptions = {}): string {
  const title = options.title ?? 'Local tenant outbox';
  const newestFirst = <T extends { time: string }>(items: T[]): T[] =>
    // reverse first: the sort is stable, so equal times keep the later item first
    [...items].reverse().sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  const emails = newestFirst(data.emails);
  const executions = newestFirst(data.executions);
  const emailsHtml = emails.length ? emails.map((e) => renderEmail(e, options)).join('\n') : '<p class="muted">No email yet.</p>';
  const executionsHtml = executions.length
    ? `<ul>${executions.map(renderExecution).join('\n')}</ul>`
    : '<p class="muted">No Action has run yet.</p>';
  const usersHtml = data.users.length ? `<ul>${data.users.map(renderUser).join('\n')}</ul>` : '<p class="muted">No user yet.</p>';
  const clearButton = options.clearUrl ? '<button type="button" id="clear-outbox">Clear outbox</button>' : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} (${emails.length})</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><span>${emails.length} email${emails.length === 1 ? '' : 's'}</span>${clearButton}</header>
<main>
  <section id="emails"><h2 class="title">Emails</h2>
${emailsHtml}
  </section>
  <section id="side">
    <h2 class="title">Action executions</h2>
${executionsHtml}
    <h2 class="title">Users</h2>
${usersHtml}
  </section>
</main>
${refreshScript(outboxPageFingerprint(data), options)}
</body>
</html>`;
}
