import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchInterceptor } from '@mswjs/interceptors';
import { ClientRequestInterceptor } from '@mswjs/interceptors/ClientRequest';
import { FetchInterceptor } from '@mswjs/interceptors/fetch';

/**
 * Routes the HTTP calls that deployed Actions make (to the tenant's domain and to
 * https://api.sendgrid.com) to the local tenant's own handlers, in process, so that the code
 * deploy-cli uploaded runs unmodified: the `auth0` SDK (global fetch) and `@sendgrid/mail`
 * (axios over node:http) both believe they talk to the real hosts.
 *
 * Only calls made inside an Action execution are routed (an AsyncLocalStorage scope): the
 * rest of the process, a test's own SDK calls included, keeps real HTTP.
 */

type FetchHandler = (request: Request) => Response | Promise<Response>;

interface ActionScope {
  actionName: string;
}

const actionScope = new AsyncLocalStorage<ActionScope>();

export function runInActionScope<T>(scope: ActionScope, work: () => Promise<T>): Promise<T> {
  return actionScope.run(scope, work);
}

/** `host[:port]` -> handler, e.g. `localhost:3443` -> the tenant app, `api.sendgrid.com` -> SendGrid. */
type OutboundRoutes = (host: string) => FetchHandler | undefined;

/** Header that tells the SendGrid stand-in which Action sent a message (shown in the outbox). */
const ACTION_HEADER = 'x-local-action';

/**
 * `latencyMs()`: how long each routed call spends on the way (the profile's
 * `actionNetworkLatencyMs`). Never skipped: answered without a timer, an Action's calls resolve as
 * microtasks and one execution runs whole before another request is even read, which Auth0's
 * network never does.
 */
export function routeActionTraffic(routes: OutboundRoutes, latencyMs: () => number = () => 1): { dispose(): void } {
  const interceptor = new BatchInterceptor({
    name: 'local-tenant-actions',
    interceptors: [new ClientRequestInterceptor(), new FetchInterceptor()],
  });
  interceptor.on('request', async ({ request, controller }) => {
    const scope = actionScope.getStore();
    if (scope === undefined) return; // not an Action: real network
    const url = new URL(request.url);
    const handler = routes(url.host);
    if (handler === undefined) {
      // Auth0's runtime reaches the internet; the local one has nowhere else to go.
      controller.errorWith(new TypeError(`local tenant: no route for ${url.host} from Action ${scope.actionName}`));
      return;
    }
    const headers = new Headers(request.headers);
    headers.set(ACTION_HEADER, scope.actionName);
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
    // The caller's signal goes along, so that a hanging handler ends when the Action gives up.
    const routed = new Request(request.url, { method: request.method, headers, body, signal: request.signal });
    let response: Response;
    try {
      await new Promise((resolve) => setTimeout(resolve, latencyMs()));
      response = await handler(routed);
    } catch (error) {
      // The handler could not answer (an injected connection reset): a network error for the Action.
      controller.errorWith(error instanceof Error ? error : new TypeError('fetch failed'));
      return;
    }
    controller.respondWith(response);
  });
  interceptor.apply();
  return { dispose: () => interceptor.dispose() };
}
