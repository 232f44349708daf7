import { randomBytes, scryptSync } from 'node:crypto';
import { hashPassword, verifyPasswordConcurrently } from './passwords';

describe('stored passwords', () => {
  it('are scrypt hashes that name their cost, never the password', async () => {
    const stored = hashPassword('Correct-Horse-Battery-9');
    expect(stored).toMatch(/^scrypt\$10\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stored).not.toContain('Correct-Horse');
    expect(hashPassword('Correct-Horse-Battery-9')).not.toBe(stored); // salted
    await expect(verifyPasswordConcurrently('Correct-Horse-Battery-9', stored)).resolves.toBe(true);
    await expect(verifyPasswordConcurrently('Correct-Horse-Battery-8', stored)).resolves.toBe(false);
  });

  it('written before the cost was kept (Node’s default N = 2^14) still verify', async () => {
    const salt = randomBytes(16);
    const legacy = `scrypt$${salt.toString('base64')}$${scryptSync('Old-Password-1', salt, 32).toString('base64')}`;
    await expect(verifyPasswordConcurrently('Old-Password-1', legacy)).resolves.toBe(true);
    await expect(verifyPasswordConcurrently('Old-Password-2', legacy)).resolves.toBe(false);
  });

  it('that are malformed never verify', async () => {
    for (const stored of [undefined, '', 'plain', 'scrypt$', 'scrypt$99$c2FsdA==$aGFzaA==', 'bcrypt$10$x$y'])
      await expect(verifyPasswordConcurrently('anything', stored)).resolves.toBe(false);
  });
});
