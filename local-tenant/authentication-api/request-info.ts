import type { Context } from 'hono';
import type { TriggerRequestInfo } from '../state/hooks';

/** `event.request` as Auth0 builds it; the password never goes into it. */
export function triggerRequestInfo(c: Context, body: Record<string, unknown>): TriggerRequestInfo {
  const url = new URL(c.req.url);
  const safeBody: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'password' && key !== 'client_secret' && typeof value === 'string') safeBody[key] = value;
  }
  const info: TriggerRequestInfo = {
    ip: c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? '127.0.0.1',
    method: c.req.method,
    hostname: url.hostname,
    query: Object.fromEntries(url.searchParams.entries()),
    body: safeBody,
  };
  const userAgent = c.req.header('user-agent');
  if (userAgent) info.user_agent = userAgent;
  const language = c.req.header('accept-language');
  if (language) info.language = language;
  return info;
}
