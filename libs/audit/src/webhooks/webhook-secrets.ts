import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';

export type WebhookSigning = 'hmac-sha256' | 'ed25519';

export const HMAC_SECRET_PREFIX = 'whsec_';
export const ED25519_SECRET_PREFIX = 'whsk_';
export const ED25519_PUBLIC_PREFIX = 'whpk_';

// Standard Webhooks asks for 24 to 64 random bytes; 32 matches the HMAC-SHA256 block need.
const HMAC_SECRET_BYTES = 32;

// DER prefixes of PKCS#8 and SPKI Ed25519 keys, so raw 32-byte keys load without a library.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** What an endpoint signs with: the secret (sealed at rest) and, for Ed25519, its public key. */
export interface GeneratedSecret {
  secret: string;
  publicKey: string | null;
}

export function generateWebhookSecret(signing: WebhookSigning): GeneratedSecret {
  if (signing === 'hmac-sha256') {
    return {
      secret: HMAC_SECRET_PREFIX + randomBytes(HMAC_SECRET_BYTES).toString('base64'),
      publicKey: null,
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    secret: ED25519_SECRET_PREFIX + seed.toString('base64'),
    publicKey: ED25519_PUBLIC_PREFIX + raw.toString('base64'),
  };
}

/** The bytes after the prefix; throws on a value that is not prefix + base64. */
export function secretBytes(value: string, prefix: string): Buffer {
  if (!value.startsWith(prefix)) {
    throw new Error(`a webhook key must start with ${prefix}`);
  }
  const encoded = value.slice(prefix.length);
  const bytes = Buffer.from(encoded, 'base64');
  if (!bytes.length || bytes.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
    throw new Error('a webhook key must be base64 after its prefix');
  }
  return bytes;
}

export function ed25519PrivateKey(secret: string) {
  const seed = secretBytes(secret, ED25519_SECRET_PREFIX);
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function ed25519PublicKey(publicKey: string) {
  const raw = secretBytes(publicKey, ED25519_PUBLIC_PREFIX);
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}
