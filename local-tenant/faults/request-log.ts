import type { MiddlewareHandler } from 'hono';

export interface LoggedRequest {
  at: string;
  method: string;
  /** Path only: query strings may carry emails or tickets, bodies may carry secrets. */
  path: string;
  status: number;
  duration_ms: number;
  /** The application whose Management API token the request carried (set by the token check). */
  client_id?: string;
}

/** A bounded in-memory log of requests, for tests (`GET /__local/requests`). */
export class RequestLog {
  private entries: LoggedRequest[] = [];
  constructor(private readonly limit = 5000) {}

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const started = Date.now();
      await next();
      if (c.req.path.startsWith('/__local/')) return;
      const clientId: unknown = c.get('clientId');
      this.entries.push({
        at: new Date(started).toISOString(),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Date.now() - started,
        ...(typeof clientId === 'string' ? { client_id: clientId } : {}),
      });
      if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    };
  }

  list(): LoggedRequest[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
