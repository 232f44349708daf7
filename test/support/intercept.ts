import nock from 'nock';
import { TENANT_DOMAIN } from './action-fakes';

/**
 * HTTP interception of Auth0 and SendGrid at the HTTP layer (nock 14 sees both the global
 * fetch the `auth0` SDK uses and the axios requests of `@sendgrid/mail`), recording every
 * request the Actions make.
 */
export interface RecordedRequest {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

// nock intercepts for the whole jest worker once imported: Node's http module is shared by every
// test file the worker runs, and nock does not let go by itself. A later file's own interception
// (the local tenant's Actions runtime, also @mswjs/interceptors) then ran beneath nock's, and an
// injected connection reset escaped as an unhandled socket error (seen in full runs only).
// (The benchmark imports this module outside jest, where there is no afterAll.)
if (typeof afterAll === 'function') afterAll(() => nock.restore());

export const AUTH0_ORIGIN = `https://${TENANT_DOMAIN}`;
const SENDGRID_ORIGIN = 'https://api.sendgrid.com';

export class Interceptor {
  readonly requests: RecordedRequest[] = [];

  constructor() {
    nock.disableNetConnect();
    nock.emitter.on('no match', this.onNoMatch);
  }

  private readonly onNoMatch = (request: { method?: string; path?: string; host?: string }) => {
    this.requests.push({
      method: request.method ?? '?',
      host: request.host ?? '?',
      path: `UNMATCHED ${request.path}`,
      headers: {},
      body: null,
    });
  };

  private record(origin: string) {
    const requests = this.requests;
    return function (this: nock.ReplyFnContext, path: string, body: nock.Body) {
      requests.push({ method: this.req.method, host: new URL(origin).host, path, headers: this.req.headers, body });
    };
  }

  /** The requests of one kind, e.g. `of('POST', '/oauth/token')`. */
  of(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.split('?')[0] === path);
  }

  token(options: { status?: number; body?: nock.Body; expiresIn?: number; times?: number } = {}): this {
    const record = this.record(AUTH0_ORIGIN);
    nock(AUTH0_ORIGIN)
      .post('/oauth/token')
      .times(options.times ?? 1)
      .reply(function (path, body) {
        record.call(this, path, body);
        return [
          options.status ?? 200,
          options.body ?? { access_token: 'mgmt-token-1', token_type: 'Bearer', expires_in: options.expiresIn ?? 86_400 },
        ];
      });
    return this;
  }

  /** `headers`: e.g. a 429's `retry-after` and `x-ratelimit-reset`. */
  passwordChangeTicket(options: { status?: number; body?: nock.Body; ticket?: string; headers?: Record<string, string> } = {}): this {
    const record = this.record(AUTH0_ORIGIN);
    nock(AUTH0_ORIGIN)
      .post('/api/v2/tickets/password-change')
      .reply(function (path, body) {
        record.call(this, path, body);
        return [
          options.status ?? 201,
          options.body ?? { ticket: options.ticket ?? `${AUTH0_ORIGIN}/lo/reset?ticket=pct-123#` },
          options.headers ?? {},
        ];
      });
    return this;
  }

  verificationTicket(options: { status?: number; body?: nock.Body; delayMs?: number } = {}): this {
    const record = this.record(AUTH0_ORIGIN);
    nock(AUTH0_ORIGIN)
      .post('/api/v2/tickets/email-verification')
      .delay(options.delayMs ?? 0)
      .reply(function (path, body) {
        record.call(this, path, body);
        return [options.status ?? 201, options.body ?? { ticket: `${AUTH0_ORIGIN}/u/email-verification?ticket=evt-456#` }];
      });
    return this;
  }

  userUpdate(userId: string, options: { status?: number; body?: nock.Body; headers?: Record<string, string> } = {}): this {
    const record = this.record(AUTH0_ORIGIN);
    nock(AUTH0_ORIGIN)
      .patch(`/api/v2/users/${encodeURIComponent(userId)}`)
      .reply(function (path, body) {
        record.call(this, path, body);
        return [options.status ?? 200, options.body ?? { user_id: userId }, { 'content-type': 'application/json', ...options.headers }];
      });
    return this;
  }

  /** `GET /api/v2/clients/{id}` (the fields the invitation Action asks for). */
  application(clientId: string, options: { status?: number; body?: nock.Body } = {}): this {
    const record = this.record(AUTH0_ORIGIN);
    nock(AUTH0_ORIGIN)
      .get(`/api/v2/clients/${encodeURIComponent(clientId)}`)
      .query(true)
      .reply(function (path, body) {
        record.call(this, path, body);
        return [
          options.status ?? 200,
          options.body ?? { name: 'Partner Portal', client_metadata: {} },
          { 'content-type': 'application/json' },
        ];
      });
    return this;
  }

  changePassword(options: { status?: number } = {}): this {
    const record = this.record(AUTH0_ORIGIN);
    nock(AUTH0_ORIGIN)
      .post('/dbconnections/change_password')
      .reply(function (path, body) {
        record.call(this, path, body);
        return [options.status ?? 200, "We've just sent you an email to reset your password."];
      });
    return this;
  }

  sendgrid(options: { status?: number; body?: nock.Body; delayMs?: number; times?: number } = {}): this {
    const record = this.record(SENDGRID_ORIGIN);
    nock(SENDGRID_ORIGIN)
      .post('/v3/mail/send')
      .times(options.times ?? 1)
      .delay(options.delayMs ?? 0)
      .reply(function (path, body) {
        record.call(this, path, body);
        const status = options.status ?? 202;
        return [status, options.body ?? '', status === 202 ? { 'x-message-id': 'msg-1' } : {}];
      });
    return this;
  }

  /**
   * Every call the Actions make to the tenant and to SendGrid answered with success, however
   * often, each recorded: for property tests, where the calls depend on the generated input.
   */
  acceptAll(): this {
    const auth0 = this.record(AUTH0_ORIGIN);
    const sendgrid = this.record(SENDGRID_ORIGIN);
    nock(AUTH0_ORIGIN)
      .persist()
      .post('/oauth/token')
      .reply(function (path, body) {
        auth0.call(this, path, body);
        return [200, { access_token: 'mgmt-token-1', token_type: 'Bearer', expires_in: 86_400 }];
      })
      .post(/^\/api\/v2\/tickets\//)
      .reply(function (path, body) {
        auth0.call(this, path, body);
        return [201, { ticket: `${AUTH0_ORIGIN}/lo/reset?ticket=any-123#` }];
      })
      .patch(/^\/api\/v2\/users\//)
      .reply(function (path, body) {
        auth0.call(this, path, body);
        return [200, { user_id: decodeURIComponent(path.split('/').pop() ?? '') }, { 'content-type': 'application/json' }];
      })
      .post('/dbconnections/change_password')
      .reply(function (path, body) {
        auth0.call(this, path, body);
        return [200, "We've just sent you an email to reset your password."];
      });
    nock(SENDGRID_ORIGIN)
      .persist()
      .post('/v3/mail/send')
      .reply(function (path, body) {
        sendgrid.call(this, path, body);
        return [202, '', { 'x-message-id': 'msg-any' }];
      });
    return this;
  }

  done(): void {
    nock.emitter.removeListener('no match', this.onNoMatch);
    nock.abortPendingRequests();
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

/** The parts of a SendGrid v3 mail/send body the Actions fill in. */
export interface SendGridBody {
  from: { email: string; name?: string };
  template_id: string;
  personalizations: { to: { email: string }[]; dynamic_template_data: Record<string, unknown> }[];
  categories?: string[];
}
