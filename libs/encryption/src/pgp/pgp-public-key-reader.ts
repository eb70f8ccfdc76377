import { type PublicKey, readKeys } from 'openpgp';
import { PgpKeyError, PgpKeyReason } from './pgp-key.error';

/**
 * Real keys, even with many third-party certifications, stay far below this; the bound keeps
 * a hostile upload from making the parser chew on megabytes.
 */
const MAX_ARMORED_KEY_LENGTH = 512 * 1024;

/**
 * Reads one armored OpenPGP public key and checks that a message can be encrypted to it at
 * `now`: not private, not revoked, not expired, with a valid self-signature and a usable
 * encryption (sub)key. Any key version openpgp understands is accepted (v4 and v6), since
 * the recipient chose it.
 */
export async function readEncryptionKey(armored: string, now = new Date()): Promise<PublicKey> {
  const key = await parseSingleKey(armored);

  if (key.isPrivate()) {
    throw new PgpKeyError(
      PgpKeyReason.NotPublic,
      'This is a private key. Upload only the public key; Sealpost never stores private keys.',
    );
  }

  if (await key.isRevoked(undefined, undefined, now)) {
    throw new PgpKeyError(PgpKeyReason.Revoked, 'This key has been revoked by its owner.');
  }

  const expiresAt = await key.getExpirationTime();
  if (expiresAt instanceof Date && expiresAt.getTime() <= now.getTime()) {
    throw new PgpKeyError(PgpKeyReason.Expired, 'This key has expired.');
  }

  try {
    await key.verifyPrimaryKey(now);
  } catch {
    throw new PgpKeyError(
      PgpKeyReason.Malformed,
      'This key has no valid self-signature, so it cannot be trusted to be intact.',
    );
  }

  try {
    await key.getEncryptionKey(undefined, now);
  } catch {
    throw new PgpKeyError(
      PgpKeyReason.NoEncryptionSubkey,
      'This key has no valid encryption subkey (it may be sign-only, or its encryption ' +
        'subkey may be expired, revoked or too weak).',
    );
  }

  return key;
}

async function parseSingleKey(armored: string): Promise<PublicKey> {
  if (armored.length > MAX_ARMORED_KEY_LENGTH) {
    throw new PgpKeyError(PgpKeyReason.Malformed, 'This key is too large to be a public key.');
  }

  // openpgp reads the first armored block and ignores the rest; a second one would be lost.
  if ((armored.match(/-----BEGIN PGP /g) ?? []).length > 1) {
    throw new PgpKeyError(
      PgpKeyReason.Malformed,
      'This text holds several armored blocks; upload exactly one key per address.',
    );
  }

  let keys: PublicKey[];
  try {
    keys = await readKeys({ armoredKeys: armored });
  } catch {
    throw new PgpKeyError(
      PgpKeyReason.Malformed,
      'This is not an ASCII-armored OpenPGP key that can be read.',
    );
  }

  if (keys.length !== 1) {
    throw new PgpKeyError(
      PgpKeyReason.Malformed,
      `This block holds ${keys.length} keys; upload exactly one key per address.`,
    );
  }
  return keys[0];
}
