import type { Context } from 'hono';
import type { JsonObject, JsonValue } from '../state/types';
import { ApiError } from './errors';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parse a JSON object body; Auth0 answers 400 `invalid_body` to anything else. */
export async function readJsonObject(c: Context): Promise<JsonObject> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Invalid request payload JSON format', 'invalid_body');
  }
  if (!isJsonObject(parsed)) throw new ApiError(400, 'Payload validation error: body must be an object', 'invalid_body');
  return parsed;
}

/** Read a body sent as JSON or as an HTML/`application/x-www-form-urlencoded` form. */
export async function readJsonOrForm(c: Context): Promise<JsonObject> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
    const form = await c.req.parseBody();
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(form)) if (typeof value === 'string') out[key] = value;
    return out;
  }
  return readJsonObject(c);
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw payloadError(`Expected type string but found type ${jsonType(value)}`, key);
  return value;
}

export function optionalBoolean(body: JsonObject, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw payloadError(`Expected type boolean but found type ${jsonType(value)}`, key);
  return value;
}

export function optionalInteger(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw payloadError(`Expected type integer but found type ${jsonType(value)}`, key);
  }
  return value;
}

export function optionalObject(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw payloadError(`Expected type object but found type ${jsonType(value)}`, key);
  return value;
}

/** Auth0's payload validation message style: `Payload validation error: '...' on property x`. */
export function payloadError(detail: string, property?: string): ApiError {
  const where = property ? ` on property ${property}` : '';
  return new ApiError(400, `Payload validation error: '${detail}'${where}.`, 'invalid_body');
}

function jsonType(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
