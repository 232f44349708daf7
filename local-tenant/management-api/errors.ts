import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const ERROR_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** Auth0's error body: `{ statusCode, error, message, errorCode }`. */
interface Auth0ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errorCode?: string;
}

/** Thrown by handlers; the app's error handler turns it into Auth0's error body. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: ContentfulStatusCode,
    message: string,
    readonly errorCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): Auth0ErrorBody {
    const body: Auth0ErrorBody = {
      statusCode: this.statusCode,
      error: ERROR_NAMES[this.statusCode] ?? 'Error',
      message: this.message,
    };
    if (this.errorCode) body.errorCode = this.errorCode;
    return body;
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json(error.toBody(), error.statusCode);
}

export function errorName(status: number): string {
  return ERROR_NAMES[status] ?? 'Error';
}
