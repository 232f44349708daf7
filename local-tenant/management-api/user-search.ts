import type { JsonValue, UserRecord } from '../state/types';
import { ApiError } from './errors';

/**
 * A subset of the Lucene syntax of Auth0's user search v3: `field:value`, `field:"quoted
 * value"`, `field:prefix*`, ranges `field:[a TO b]` / `{a TO b}` (numbers), `AND`, `OR`,
 * `NOT`, parentheses. As in Lucene, terms side by side without an operator are OR-ed.
 * Fields: user_id, email, username, name, nickname, email_verified, blocked, logins_count,
 * identities.connection, app_metadata.*, user_metadata.*.
 */
type UserPredicate = (user: UserRecord) => boolean;

type Token = { kind: 'and' | 'or' | 'not' | 'open' | 'close' } | { kind: 'term'; field: string; value: TermValue };
type TermValue =
  | { kind: 'exact'; text: string }
  | { kind: 'prefix'; text: string }
  | { kind: 'range'; low: string; high: string; includeLow: boolean; includeHigh: boolean };

export function parseUserQuery(q: string): UserPredicate {
  const tokens = tokenize(q);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];

  const parseOr = (): UserPredicate => {
    const parts = [parseAnd()];
    for (;;) {
      const next = peek();
      if (next?.kind === 'or') {
        position++;
        parts.push(parseAnd());
      } else if (next && (next.kind === 'term' || next.kind === 'open' || next.kind === 'not')) {
        parts.push(parseAnd()); // implicit OR, Lucene's default operator
      } else break;
    }
    return (u) => parts.some((p) => p(u));
  };
  const parseAnd = (): UserPredicate => {
    const parts = [parseUnary()];
    while (peek()?.kind === 'and') {
      position++;
      parts.push(parseUnary());
    }
    return (u) => parts.every((p) => p(u));
  };
  const parseUnary = (): UserPredicate => {
    const token = tokens[position++];
    if (!token) throw badQuery('unexpected end of query');
    if (token.kind === 'not') {
      const inner = parseUnary();
      return (u) => !inner(u);
    }
    if (token.kind === 'open') {
      const inner = parseOr();
      if (tokens[position++]?.kind !== 'close') throw badQuery('missing )');
      return inner;
    }
    if (token.kind === 'term') return termPredicate(token.field, token.value);
    throw badQuery(`unexpected ${token.kind.toUpperCase()}`);
  };

  const predicate = parseOr();
  if (position !== tokens.length) throw badQuery('unexpected input');
  return predicate;
}

function badQuery(detail: string): ApiError {
  return new ApiError(400, `Bad Request: Invalid query: ${detail}`, 'invalid_query_string');
}

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'open' : 'close' });
      i++;
      continue;
    }
    const word = /^(AND|OR|NOT|&&|\|\|)(?=[\s()]|$)/.exec(q.slice(i));
    if (word?.[1]) {
      const w = word[1];
      tokens.push({ kind: w === 'AND' || w === '&&' ? 'and' : w === 'OR' || w === '||' ? 'or' : 'not' });
      i += w.length;
      continue;
    }
    const field = /^([A-Za-z_][\w.]*):/.exec(q.slice(i));
    if (!field?.[1]) throw badQuery('expected field:value');
    i += field[0].length;
    const rest = q.slice(i);
    if (rest.startsWith('"')) {
      let text = '';
      let j = 1;
      while (j < rest.length && rest[j] !== '"') {
        if (rest[j] === '\\' && j + 1 < rest.length) j++;
        text += rest[j];
        j++;
      }
      if (rest[j] !== '"') throw badQuery('unterminated quoted value');
      tokens.push({ kind: 'term', field: field[1], value: { kind: 'exact', text } });
      i += j + 1;
      continue;
    }
    const range = /^([[{])\s*(\S+)\s+TO\s+(\S+?)\s*([\]}])/.exec(rest);
    if (range?.[1] && range[2] && range[3] && range[4]) {
      tokens.push({
        kind: 'term',
        field: field[1],
        value: { kind: 'range', low: range[2], high: range[3], includeLow: range[1] === '[', includeHigh: range[4] === ']' },
      });
      i += range[0].length;
      continue;
    }
    const bare = /^[^\s()]+/.exec(rest);
    if (!bare) throw badQuery('missing value');
    const text = bare[0].replace(/\\(.)/g, '$1');
    tokens.push({
      kind: 'term',
      field: field[1],
      value: text.endsWith('*') && !text.endsWith('\\*') ? { kind: 'prefix', text: text.slice(0, -1) } : { kind: 'exact', text },
    });
    i += bare[0].length;
  }
  return tokens;
}

function fieldValue(user: UserRecord, field: string): JsonValue | undefined {
  if (field.startsWith('app_metadata.')) return dig(user.app_metadata, field.slice('app_metadata.'.length));
  if (field.startsWith('user_metadata.')) return dig(user.user_metadata, field.slice('user_metadata.'.length));
  switch (field) {
    case 'user_id':
    case 'email':
    case 'username':
    case 'name':
    case 'nickname':
    case 'given_name':
    case 'family_name':
      return user[field];
    case 'email_verified':
    case 'blocked':
    case 'logins_count':
      return user[field];
    case 'identities.connection':
      return user.connection;
    case 'created_at':
    case 'updated_at':
    case 'last_login':
      return user[field];
    default:
      return undefined;
  }
}

function dig(value: JsonValue | undefined, path: string): JsonValue | undefined {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

function termPredicate(field: string, term: TermValue): UserPredicate {
  // Auth0 v3 search matches email and username case-insensitively.
  const caseInsensitive = field === 'email' || field === 'username';
  const norm = (s: string): string => (caseInsensitive ? s.toLowerCase() : s);
  return (user) => {
    const value = fieldValue(user, field);
    const candidates = Array.isArray(value) ? value : [value];
    return candidates.some((candidate) => {
      if (candidate === undefined || candidate === null || typeof candidate === 'object') return false;
      const text = String(candidate);
      if (term.kind === 'exact') return norm(text) === norm(term.text);
      if (term.kind === 'prefix') return norm(text).startsWith(norm(term.text));
      const compare = (a: string, b: string): number => {
        const na = Number(a);
        const nb = Number(b);
        // Dates are ISO 8601 strings, which order as text (ordinal, not by locale).
        return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
      };
      const aboveLow = term.low === '*' || (term.includeLow ? compare(text, term.low) >= 0 : compare(text, term.low) > 0);
      const belowHigh = term.high === '*' || (term.includeHigh ? compare(text, term.high) <= 0 : compare(text, term.high) < 0);
      return aboveLow && belowHigh;
    });
  };
}
