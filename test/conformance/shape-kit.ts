/**
 * What a conformance shape is: the status, body and headers a real Auth0 tenant (or SendGrid)
 * answers to one request, written as zod schemas from public recordings of real tenants.
 * Only field names and types are kept, never recorded values: the schemas require the fields
 * a real answer has and our code (or auth0-deploy-cli) could read, and let any other field pass.
 */
import { z } from 'zod';

/** Where a shape comes from: `owner/repo@commit path #interaction` (or a documentation page). */
export type Source = string;

export interface ExpectedAnswer {
  status: number;
  /** The JSON body, `'empty'` for none, or a schema of the text body (`{ text: ... }`). */
  body: z.ZodType | 'empty' | { text: z.ZodType<string> };
  /** Headers the answer must carry (lower-case names), each value checked by its schema. */
  headers?: Record<string, z.ZodType<string>>;
  /** Content type the answer must have (a prefix, e.g. `application/json`). */
  contentType?: string;
  source: Source;
}

/** `METHOD /path` with `{param}` placeholders, exactly as in the list of used endpoints. */
export type EndpointKey = string;

/** The expected answers of one endpoint, by case name (`created`, `not found`, ...). */
export type EndpointShapes = Record<string, ExpectedAnswer>;

export const str = z.string();
export const int = z.number().int();
export const bool = z.boolean();
export const obj = z.record(z.string(), z.unknown());
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'an ISO 8601 UTC date');
/** An integer in a header, e.g. `x-ratelimit-remaining: 41`. */
export const intHeader = z.string().regex(/^\d+$/, 'an integer');

/** The Management API's error body (every error of every endpoint). */
export function managementError(statusCode: number, errorCode?: string) {
  return z.looseObject({
    statusCode: z.literal(statusCode),
    error: str,
    message: str,
    ...(errorCode === undefined ? {} : { errorCode: z.literal(errorCode) }),
  });
}

/** The Authentication API's error body on /dbconnections: `{ name, code, description, statusCode }`. */
export function dbconnectionsError(statusCode: number, codes: readonly [string, ...string[]]) {
  return z.looseObject({ name: str, code: z.enum(codes), description: z.union([str, obj]), statusCode: z.literal(statusCode) });
}

/** The outcome of checking one answer: every mismatch as a readable line. */
export function mismatches(expected: ExpectedAnswer, actual: { status: number; headers: Headers; text: string }): string[] {
  const problems: string[] = [];
  if (actual.status !== expected.status) problems.push(`status ${actual.status}, expected ${expected.status}`);
  const type = actual.headers.get('content-type') ?? '';
  if (expected.contentType !== undefined && !type.startsWith(expected.contentType)) {
    problems.push(`content-type "${type}", expected ${expected.contentType}`);
  }
  for (const [name, schema] of Object.entries(expected.headers ?? {})) {
    const value = actual.headers.get(name);
    if (value === null) problems.push(`header ${name} missing`);
    else {
      const parsed = schema.safeParse(value);
      if (!parsed.success) problems.push(`header ${name}: ${z.prettifyError(parsed.error)}`);
    }
  }
  const { body } = expected;
  if (body === 'empty') {
    if (actual.text !== '') problems.push(`body "${actual.text.slice(0, 80)}", expected none`);
    return problems;
  }
  if ('text' in body && !(body instanceof z.ZodType)) {
    const parsed = body.text.safeParse(actual.text);
    if (!parsed.success) problems.push(`text body: ${z.prettifyError(parsed.error)}`);
    return problems;
  }
  let json: unknown;
  try {
    json = JSON.parse(actual.text);
  } catch {
    problems.push(`body is not JSON: "${actual.text.slice(0, 80)}"`);
    return problems;
  }
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    // One line per field, with its path (`body.users.0.picture: ...`), so a known difference can name it.
    for (const issue of parsed.error.issues) problems.push(`${['body', ...issue.path.map(String)].join('.')}: ${issue.message}`);
  }
  return problems;
}
