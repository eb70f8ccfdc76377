import { hashPassword, UNUSABLE_PASSWORD_HASH, verifyPassword } from './password-hasher';

describe('password hashing', () => {
  it('accepts the password it hashed and refuses any other', async () => {
    const stored = await hashPassword('correct horse battery');

    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain('horse');
  });

  it('salts every hash, so equal passwords do not look equal', async () => {
    const [first, second] = await Promise.all([hashPassword('same one'), hashPassword('same one')]);

    expect(first).not.toBe(second);
  });

  it('matches nothing with the placeholder used for unknown addresses', async () => {
    await expect(verifyPassword('', UNUSABLE_PASSWORD_HASH)).resolves.toBe(false);
    await expect(verifyPassword('anything at all', UNUSABLE_PASSWORD_HASH)).resolves.toBe(false);
    await expect(verifyPassword('x', 'md5$abc')).resolves.toBe(false);
  });
});
