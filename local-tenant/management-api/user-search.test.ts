import type { UserRecord } from '../state/types';
import { parseUserQuery } from './user-search';

const user = (over: Partial<UserRecord>): UserRecord => ({
  user_id: 'auth0|1',
  connection: 'members',
  email_verified: false,
  app_metadata: {},
  user_metadata: {},
  blocked: false,
  logins_count: 0,
  created_at: '',
  updated_at: '',
  ...over,
});
const users = [
  user({ user_id: 'a', email: 'ann@example.com', username: 'ann', logins_count: 3, app_metadata: { invite: true, team: 'red team' } }),
  user({ user_id: 'b', email: 'bob@example.com', logins_count: 0, user_metadata: { locale: 'fr' } }),
];
const ids = (q: string): string[] => users.filter(parseUserQuery(q)).map((u) => u.user_id);

test.each([
  ['email:ANN@example.com', ['a']],
  ['email:"bob@example.com"', ['b']],
  ['app_metadata.team:"red team" AND app_metadata.invite:true', ['a']],
  ['user_metadata.locale:fr', ['b']],
  ['logins_count:[1 TO 5]', ['a']],
  ['logins_count:{0 TO *]', ['a']],
  ['email:a* OR email:b*', ['a', 'b']],
  ['email:ann@example.com email:bob@example.com', ['a', 'b']],
  ['NOT username:ann', ['b']],
  ['(username:ann OR user_metadata.locale:fr) AND logins_count:0', ['b']],
])('%s', (q, expected) => expect(ids(q)).toEqual(expected));

test('malformed queries are 400 invalid_query_string', () => {
  for (const q of ['email:"open', 'justaword', 'email:a AND', '(email:a']) {
    expect(() => parseUserQuery(q)).toThrow(expect.objectContaining({ statusCode: 400, errorCode: 'invalid_query_string' }));
  }
});
