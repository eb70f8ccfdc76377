import { hashSecret, newApiKeyToken, parseApiKeyToken } from './api-key-token';

describe('newApiKeyToken', () => {
  it('writes sp_<16 hex prefix>_<43 base64url secret>', () => {
    const { prefix, secret, token } = newApiKeyToken();

    expect(prefix).toMatch(/^[0-9a-f]{16}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toBe(`sp_${prefix}_${secret}`);
  });

  it('carries 32 random bytes of secret', () => {
    expect(Buffer.from(newApiKeyToken().secret, 'base64url')).toHaveLength(32);
  });

  it('never repeats a prefix or secret', () => {
    const tokens = Array.from({ length: 50 }, () => newApiKeyToken());

    expect(new Set(tokens.map((t) => t.prefix)).size).toBe(50);
    expect(new Set(tokens.map((t) => t.secret)).size).toBe(50);
  });
});

describe('parseApiKeyToken', () => {
  it('reads back the prefix and secret of a new token', () => {
    const { prefix, secret, token } = newApiKeyToken();

    expect(parseApiKeyToken(token)).toEqual({ prefix, secret });
  });

  it('reads a secret that contains "_" and "-"', () => {
    const secret = 'a_b-'.repeat(10) + 'xyz';

    expect(parseApiKeyToken(`sp_0123456789abcdef_${secret}`)).toEqual({
      prefix: '0123456789abcdef',
      secret,
    });
  });

  it.each([
    ['an empty string', ''],
    ['another vendor prefix', 'sk_0123456789abcdef_' + 'a'.repeat(43)],
    ['an upper-case prefix', 'sp_0123456789ABCDEF_' + 'a'.repeat(43)],
    ['a short prefix', 'sp_0123456789abcde_' + 'a'.repeat(43)],
    ['a short secret', 'sp_0123456789abcdef_' + 'a'.repeat(42)],
    ['a long secret', 'sp_0123456789abcdef_' + 'a'.repeat(44)],
    ['a secret with padding', 'sp_0123456789abcdef_' + 'a'.repeat(42) + '='],
    ['a Bearer header value', 'Bearer sp_0123456789abcdef_' + 'a'.repeat(43)],
    ['a token with trailing white space', 'sp_0123456789abcdef_' + 'a'.repeat(43) + ' '],
  ])('refuses %s', (_case, token) => {
    expect(parseApiKeyToken(token)).toBeNull();
  });
});

describe('hashSecret', () => {
  it('is the same 32-byte digest for the same secret', () => {
    const { secret } = newApiKeyToken();

    expect(hashSecret(secret)).toHaveLength(32);
    expect(hashSecret(secret).equals(hashSecret(secret))).toBe(true);
  });

  it('differs for secrets that differ in one character', () => {
    const { secret } = newApiKeyToken();
    const changed = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);

    expect(hashSecret(secret).equals(hashSecret(changed))).toBe(false);
  });

  it('matches the SHA-256 of the secret', () => {
    expect(hashSecret('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
