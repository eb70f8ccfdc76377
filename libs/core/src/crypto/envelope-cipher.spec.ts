import { randomBytes, randomUUID } from 'node:crypto';
import { EnvelopeCipher, keyIdOf, type SealedValue } from './envelope-cipher';

const newKey = (): Buffer => randomBytes(32);
const newContext = (): string => `message-content:${randomUUID()}:${randomUUID()}`;

const flipByte = (buffer: Buffer, index: number): Buffer => {
  const copy = Buffer.from(buffer);
  copy[index] ^= 0x01;
  return copy;
};

describe('EnvelopeCipher', () => {
  it('opens what it sealed', () => {
    const cipher = new EnvelopeCipher(newKey());
    const context = newContext();
    const plaintext = Buffer.from('Results attached: HbA1c 6.1%', 'utf8');

    const sealed = cipher.seal(plaintext, context);

    expect(cipher.open(sealed, context).equals(plaintext)).toBe(true);
  });

  it('round-trips an empty value and binary data', () => {
    const cipher = new EnvelopeCipher(newKey());
    const context = newContext();
    const binary = randomBytes(4096);

    expect(cipher.open(cipher.seal(Buffer.alloc(0), context), context)).toHaveLength(0);
    expect(cipher.open(cipher.seal(binary, context), context).equals(binary)).toBe(true);
  });

  it('does not store the plaintext in the ciphertext', () => {
    const cipher = new EnvelopeCipher(newKey());
    const plaintext = Buffer.from(`patient ${randomUUID()}`, 'utf8');

    const { ciphertext, wrappedKey } = cipher.seal(plaintext, newContext());

    expect(ciphertext.includes(plaintext)).toBe(false);
    expect(wrappedKey.includes(plaintext)).toBe(false);
  });

  it('gives a different ciphertext and wrapped key each time for the same value', () => {
    const cipher = new EnvelopeCipher(newKey());
    const context = newContext();
    const plaintext = Buffer.from('same every time', 'utf8');

    const first = cipher.seal(plaintext, context);
    const second = cipher.seal(plaintext, context);

    expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
    expect(first.wrappedKey.equals(second.wrappedKey)).toBe(false);
    expect(first.keyId).toBe(second.keyId);
  });

  it('refuses to open a value under another context', () => {
    const cipher = new EnvelopeCipher(newKey());
    const sealed = cipher.seal(Buffer.from('bound to its row'), newContext());

    expect(() => cipher.open(sealed, newContext())).toThrow();
  });

  it.each([
    ['the first byte of the ciphertext (IV)', 'ciphertext', 0],
    ['the tag of the ciphertext', 'ciphertext', 12],
    ['the last byte of the ciphertext', 'ciphertext', -1],
    ['the wrapped data key', 'wrappedKey', -1],
  ] as const)('refuses a value with a flipped bit in %s', (_where, field, position) => {
    const cipher = new EnvelopeCipher(newKey());
    const context = newContext();
    const sealed = cipher.seal(Buffer.from('do not alter'), context);
    const index = position < 0 ? sealed[field].length + position : position;

    const tampered: SealedValue = { ...sealed, [field]: flipByte(sealed[field], index) };

    expect(() => cipher.open(tampered, context)).toThrow();
  });

  it('refuses a truncated ciphertext', () => {
    const cipher = new EnvelopeCipher(newKey());
    const context = newContext();
    const sealed = cipher.seal(Buffer.from('do not shorten'), context);

    const truncated = { ...sealed, ciphertext: sealed.ciphertext.subarray(0, -1) };

    expect(() => cipher.open(truncated, context)).toThrow();
  });

  it('cannot open a value sealed under another master key that claims its key id', () => {
    const ours = new EnvelopeCipher(newKey());
    const theirs = new EnvelopeCipher(newKey());
    const context = newContext();
    const sealed = theirs.seal(Buffer.from('foreign'), context);

    const relabelled = { ...sealed, keyId: ours.seal(Buffer.alloc(0), context).keyId };

    expect(() => ours.open(relabelled, context)).toThrow();
  });

  describe('key rotation', () => {
    it('still opens values sealed under a previous key', () => {
      const oldKey = newKey();
      const context = newContext();
      const sealed = new EnvelopeCipher(oldKey).seal(Buffer.from('written last year'), context);

      const rotated = new EnvelopeCipher(newKey(), [oldKey]);

      expect(rotated.open(sealed, context).toString()).toBe('written last year');
    });

    it('seals new values under the current key, not a previous one', () => {
      const oldKey = newKey();
      const currentKey = newKey();
      const rotated = new EnvelopeCipher(currentKey, [oldKey]);

      const sealed = rotated.seal(Buffer.from('written today'), newContext());

      expect(sealed.keyId).toBe(keyIdOf(currentKey));
      expect(sealed.keyId).not.toBe(keyIdOf(oldKey));
    });

    it('names the unknown key id and the setting to fix when a key is missing', () => {
      const retiredKey = newKey();
      const context = newContext();
      const sealed = new EnvelopeCipher(retiredKey).seal(Buffer.from('orphan'), context);

      const cipher = new EnvelopeCipher(newKey());

      expect(() => cipher.open(sealed, context)).toThrow(
        `master key ${keyIdOf(retiredKey)} is not configured (SEALPOST_PREVIOUS_MASTER_KEYS)`,
      );
    });
  });
});

describe('keyIdOf', () => {
  it('is a stable short fingerprint that does not contain the key', () => {
    const key = newKey();

    const id = keyIdOf(key);

    expect(id).toMatch(/^mk_[0-9a-f]{16}$/);
    expect(keyIdOf(Buffer.from(key))).toBe(id);
    expect(id).not.toContain(key.toString('hex').slice(0, 16));
  });

  it('differs between keys', () => {
    expect(keyIdOf(newKey())).not.toBe(keyIdOf(newKey()));
  });
});
