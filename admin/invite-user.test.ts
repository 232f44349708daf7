import { passwordRejection } from '../local-tenant/state/passwords';
import type { ConnectionRecord } from '../local-tenant/state/types';
import { unknowablePassword } from './invite-user';

/** The strictest legacy policy a connection can declare: excellent, 72 characters, no personal data, a dictionary. */
const STRICTEST: ConnectionRecord = {
  id: 'con_strict',
  name: 'strict',
  strategy: 'auth0',
  enabled_clients: [],
  options: {
    passwordPolicy: 'excellent',
    password_complexity_options: { min_length: 72 },
    password_no_personal_info: { enable: true },
    password_dictionary: { enable: true, dictionary: ['password'] },
  },
};

test("the invitee's unknowable password passes Auth0's strictest policy, every time (5,000 draws)", () => {
  const owner = { email: 'ada.lovelace@example.com', username: 'ada', name: 'Ada Lovelace', nickname: 'ada.lovelace' };
  for (let draw = 0; draw < 5000; draw++) {
    const password = unknowablePassword([owner.email.split('@')[0], owner.username, owner.name, owner.nickname]);
    expect(password).toHaveLength(72);
    const rejection = passwordRejection(STRICTEST, password, owner);
    if (rejection !== undefined) throw new Error(`${password} refused: ${rejection.name}`);
  }
});
