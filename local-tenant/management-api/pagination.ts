import { ApiError } from './errors';

export interface PageRequest {
  page: number;
  perPage: number;
  includeTotals: boolean;
}

/** `page` (0-based), `per_page` (Auth0 default 50, max 100) and `include_totals`. */
export function readPageRequest(query: (name: string) => string | undefined, defaultPerPage = 50): PageRequest {
  const page = parseNonNegative(query('page'), 0, 'page');
  const perPage = parseNonNegative(query('per_page'), defaultPerPage, 'per_page');
  if (perPage > 100) throw new ApiError(400, 'Query validation error: per_page must be at most 100', 'invalid_query_string');
  return { page, perPage, includeTotals: query('include_totals') === 'true' };
}

function parseNonNegative(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ApiError(400, `Query validation error: '${name}' must be a non-negative integer`, 'invalid_query_string');
  }
  return value;
}

export function pageSlice<T>(items: readonly T[], request: PageRequest): T[] {
  const start = request.page * request.perPage;
  return items.slice(start, start + request.perPage);
}

/**
 * The envelope of offset-paginated lists such as users, clients and connections: a bare
 * array, or with include_totals `{ <key>: [...], start, limit, length, total }`.
 */
export function offsetEnvelope<T>(key: string, items: readonly T[], request: PageRequest): unknown {
  const slice = pageSlice(items, request);
  if (!request.includeTotals) return slice;
  return {
    start: request.page * request.perPage,
    limit: request.perPage,
    length: slice.length,
    total: items.length,
    [key]: slice,
  };
}

/** Actions-style envelope, always an object: `{ <key>: [...], total, page, per_page }`. */
export function actionsEnvelope<T>(key: string, items: readonly T[], request: PageRequest): unknown {
  return { [key]: pageSlice(items, request), total: items.length, page: request.page, per_page: request.perPage };
}
