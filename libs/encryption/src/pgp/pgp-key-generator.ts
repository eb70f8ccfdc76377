import { generateKey, type KeyOptions } from 'openpgp';

/**
 * Curve25519 "legacy" (EdDSA + ECDH, RFC 4880bis) and RSA are what GnuPG 2.2 reads. openpgp's
 * plain `curve25519` type makes Ed25519/X25519 keys of RFC 9580, which GnuPG 2.2 cannot use.
 */
export type OrganisationKeyKind = 'curve25519-legacy' | 'rsa3072' | 'rsa4096';

export interface OrganisationKey {
  publicArmored: string;
  /** Unprotected: the caller encrypts it at rest; a passphrase stored beside it adds nothing. */
  privateArmored: string;
  /** Upper-case hex. */
  fingerprint: string;
  /** Kept by the organisation to revoke the key if the private half is lost. */
  revocationCertificate: string;
}

/** Generates the organisation's signing (and archive) key as a v4 key GnuPG 2.2 can use. */
export async function generateOrganisationKey(
  name: string,
  email: string,
  kind: OrganisationKeyKind,
): Promise<OrganisationKey> {
  const { privateKey, publicKey, revocationCertificate } = await generateKey({
    ...algorithmOptions(kind),
    userIDs: [{ name, email }],
    format: 'object',
    // v6 keys need RFC 9580 support on the other side; GnuPG 2.2 has none.
    config: { v6Keys: false },
  });

  return {
    publicArmored: publicKey.armor(),
    privateArmored: privateKey.armor(),
    fingerprint: publicKey.getFingerprint().toUpperCase(),
    revocationCertificate,
  };
}

function algorithmOptions(
  kind: OrganisationKeyKind,
): Pick<KeyOptions, 'type' | 'curve' | 'rsaBits'> {
  switch (kind) {
    case 'curve25519-legacy':
      return { type: 'ecc', curve: 'curve25519Legacy' };
    case 'rsa3072':
      return { type: 'rsa', rsaBits: 3072 };
    case 'rsa4096':
      return { type: 'rsa', rsaBits: 4096 };
  }
}
