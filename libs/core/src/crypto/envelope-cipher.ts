import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** What is stored for one encrypted value: the data, its wrapped data key, and the key id. */
export interface SealedValue {
  ciphertext: Buffer;
  wrappedKey: Buffer;
  keyId: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Envelope encryption with AES-256-GCM: each value gets a fresh data key, which is itself
 * encrypted with the master key. The master key id is stored beside the value so keys can
 * rotate: new values use the current key, older ones name the key they need.
 * `context` binds a ciphertext to its row (e.g. organisation and message id), so a value
 * copied into another row fails to open.
 */
export class EnvelopeCipher {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentKeyId: string;

  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    this.currentKeyId = keyIdOf(currentKey);
    for (const key of [currentKey, ...previousKeys]) {
      this.keys.set(keyIdOf(key), key);
    }
  }

  seal(plaintext: Buffer, context: string): SealedValue {
    const dataKey = randomBytes(32);
    const aad = Buffer.from(context, 'utf8');
    return {
      ciphertext: gcmEncrypt(dataKey, plaintext, aad),
      wrappedKey: gcmEncrypt(this.keyFor(this.currentKeyId), dataKey, aad),
      keyId: this.currentKeyId,
    };
  }

  open(value: SealedValue, context: string): Buffer {
    const aad = Buffer.from(context, 'utf8');
    const dataKey = gcmDecrypt(this.keyFor(value.keyId), value.wrappedKey, aad);
    return gcmDecrypt(dataKey, value.ciphertext, aad);
  }

  private keyFor(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) {
      throw new Error(`master key ${keyId} is not configured (SEALPOST_PREVIOUS_MASTER_KEYS)`);
    }
    return key;
  }
}

/** A short public fingerprint of a key; safe to store and log. */
export function keyIdOf(key: Buffer): string {
  return 'mk_' + createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function gcmDecrypt(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new Error('sealed value is too short');
  }
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
