import { decryptKey, type PrivateKey, readPrivateKey } from 'openpgp';
import { PgpKeyError, PgpKeyReason } from './pgp-key.error';

/** The organisation's private key, as stored (decrypted from rest) by the caller. */
export interface PgpSigningKey {
  armored: string;
  /** Needed only when the armored key is itself passphrase-protected. */
  passphrase?: string;
}

/** Reads and unlocks the key messages are signed with; refuses one that cannot sign `now`. */
export async function readSigningKey(input: PgpSigningKey, now = new Date()): Promise<PrivateKey> {
  let key: PrivateKey;
  try {
    key = await readPrivateKey({ armoredKey: input.armored });
  } catch {
    throw unusable('The signing key is not a readable OpenPGP private key.');
  }

  if (!key.isDecrypted()) {
    if (input.passphrase === undefined) {
      throw unusable('The signing key is protected by a passphrase and none was given.');
    }
    try {
      key = await decryptKey({ privateKey: key, passphrase: input.passphrase });
    } catch {
      throw unusable('The passphrase does not unlock the signing key.');
    }
  }

  try {
    await key.getSigningKey(undefined, now);
  } catch {
    throw unusable('The signing key is expired, revoked or has no key that may sign.');
  }
  return key;
}

function unusable(message: string): PgpKeyError {
  return new PgpKeyError(PgpKeyReason.SigningKeyUnusable, message);
}
