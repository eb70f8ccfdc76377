import { type Key, readKeys } from 'openpgp';
import { type InspectedKey, inspectPublicKey } from '../pgp/pgp-key-inspector';
import { PgpKeyError, PgpKeyReason } from '../pgp/pgp-key.error';

/**
 * Reads what a Web Key Directory served for `address`: binary OpenPGP, possibly several keys
 * (the draft allows a key set). The first key that passes the checks of a directory upload
 * (public, not expired or revoked, an encryption subkey, a self-certified user id with the
 * address) wins. Otherwise the refusal says why, preferring a reason about a key that is for
 * this address over "address mismatch".
 */
export async function readWkdKey(
  bytes: Uint8Array,
  address: string,
  now: Date,
): Promise<InspectedKey> {
  let keys: Key[];
  try {
    keys = await readKeys({ binaryKeys: bytes });
  } catch {
    throw new PgpKeyError(
      PgpKeyReason.Malformed,
      'The Web Key Directory answered with something that is not a binary OpenPGP key.',
    );
  }

  let refusal: PgpKeyError | undefined;
  for (const key of keys) {
    try {
      return await inspectPublicKey(key.armor(), address, now);
    } catch (error) {
      if (!(error instanceof PgpKeyError)) {
        throw error;
      }
      if (!refusal || refusal.reason === PgpKeyReason.AddressMismatch) {
        refusal = error;
      }
    }
  }
  throw refusal ?? new PgpKeyError(PgpKeyReason.Malformed, 'The Web Key Directory held no key.');
}
