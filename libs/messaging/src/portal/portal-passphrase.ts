import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// scrypt at N=2^15 costs ~50 ms and 32 MiB: cheap for one check, dear for a guessing run on a
// stolen database. Passphrases are chosen by people, so they need a slow hash; codes do not.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export const PASSPHRASE_MIN = 8;
export const PASSPHRASE_MAX = 200;

function derive(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFKC'), salt, KEY_BYTES, PARAMS, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Salt and scrypt key, stored together. */
export async function hashPassphrase(passphrase: string): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  return Buffer.concat([salt, await derive(passphrase, salt)]);
}

export async function passphraseMatches(passphrase: string, stored: Buffer): Promise<boolean> {
  if (stored.length !== SALT_BYTES + KEY_BYTES || passphrase.length > PASSPHRASE_MAX) {
    return false;
  }
  const key = await derive(passphrase, stored.subarray(0, SALT_BYTES));
  return timingSafeEqual(key, stored.subarray(SALT_BYTES));
}
