import { type AlgorithmInfo, type PublicKey } from 'openpgp';
import { PgpKeyError, PgpKeyReason } from './pgp-key.error';
import { readEncryptionKey } from './pgp-public-key-reader';

/** What the key directory stores about one uploaded public key. */
export interface InspectedKey {
  /** Upper-case hex, 40 characters for v4 keys, 64 for v6. */
  fingerprint: string;
  /** Upper-case hex, 16 characters. */
  keyId: string;
  version: number;
  /** Primary key algorithm, e.g. `eddsaLegacy-ed25519Legacy` or `rsaEncryptSign-4096`. */
  algorithm: string;
  /** Algorithm of the (sub)key messages are encrypted to, e.g. `ecdh-curve25519Legacy`. */
  encryptionAlgorithm: string;
  /** Addresses of the user ids with a valid self-certification. */
  userIds: string[];
  expiresAt: Date | null;
  /** The key re-serialized by openpgp: public packets only, no armor comments. */
  armored: string;
}

/** A bare addr-spec; user ids without angle brackets are common in keys made by scripts. */
const BARE_ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * Checks an uploaded public key for `expectedAddress` and describes it. Throws PgpKeyError
 * when the key cannot be used to encrypt to that address at `now`.
 */
export async function inspectPublicKey(
  armored: string,
  expectedAddress: string,
  now = new Date(),
): Promise<InspectedKey> {
  const key = await readEncryptionKey(armored, now);

  const userIds = await validAddresses(key, now);
  if (!userIds.some((address) => sameAddress(address, expectedAddress))) {
    throw new PgpKeyError(
      PgpKeyReason.AddressMismatch,
      'None of the user ids of this key is the address it was uploaded for.',
    );
  }

  const expiry = await key.getExpirationTime();
  const encryptionKey = await key.getEncryptionKey(undefined, now);
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyId: key.getKeyID().toHex().toUpperCase(),
    version: key.keyPacket.version,
    algorithm: describeAlgorithm(key.getAlgorithmInfo()),
    encryptionAlgorithm: describeAlgorithm(encryptionKey.getAlgorithmInfo()),
    userIds,
    expiresAt: expiry instanceof Date ? expiry : null,
    armored: key.toPublic().armor(),
  };
}

/**
 * Anyone can append a user id packet to a public key; only ids the key itself certified
 * (and did not revoke) say which address the owner claims.
 */
async function validAddresses(key: PublicKey, now: Date): Promise<string[]> {
  const addresses: string[] = [];
  for (const user of key.users) {
    const address = addressOf(user.userID?.email, user.userID?.userID);
    if (address && (await user.verify(now).catch(() => false))) {
      addresses.push(address);
    }
  }
  return addresses;
}

function addressOf(email: string | undefined, userId: string | undefined): string | null {
  if (email) {
    return email.trim();
  }
  const bare = userId?.trim();
  return bare && BARE_ADDRESS.test(bare) ? bare : null;
}

/** RFC 5321: the domain is case-insensitive, the local part belongs to the receiving host. */
function sameAddress(a: string, b: string): boolean {
  const partsA = splitAddress(a);
  const partsB = splitAddress(b);
  if (!partsA || !partsB) {
    return false;
  }
  return partsA.local === partsB.local && partsA.domain === partsB.domain;
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) {
    return null;
  }
  return { local: trimmed.slice(0, at), domain: trimmed.slice(at + 1).toLowerCase() };
}

function describeAlgorithm(info: AlgorithmInfo): string {
  const detail = info.bits ?? info.curve;
  return detail === undefined ? info.algorithm : `${info.algorithm}-${detail}`;
}
