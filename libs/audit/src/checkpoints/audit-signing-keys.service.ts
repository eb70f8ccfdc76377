import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EnvelopeCipher, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { privateKeyFromSeed, rawPublicKeyOf, seedOf } from './checkpoint-signature';

export interface AuditSigner {
  keyId: string;
  privateKey: KeyObject;
}

interface KeyRow {
  id: string;
  public_key: Buffer;
  private_ciphertext: Buffer | null;
  private_wrapped_key: Buffer | null;
  private_key_id: string | null;
}

const contextOf = (keyId: string) => `audit-signing-key:${keyId}`;

/** `ed25519:` and the first 16 hex digits of SHA-256 over the raw public key. */
export function signingKeyIdOf(rawPublicKey: Buffer): string {
  return `ed25519:${createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16)}`;
}

/**
 * The checkpoint signing key: SEALPOST_AUDIT_SIGNING_KEY when set, else one generated once
 * per install and stored sealed with the master key. Every public key ever used is kept so
 * old checkpoints stay verifiable.
 */
@Injectable()
export class AuditSigningKeys {
  private signer?: Promise<AuditSigner>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  current(): Promise<AuditSigner> {
    this.signer ??= this.load().catch((error: unknown) => {
      this.signer = undefined;
      throw error;
    });
    return this.signer;
  }

  async publicKeys(): Promise<Map<string, Buffer>> {
    const rows = await this.dataSource.query<KeyRow[]>(
      `SELECT id, public_key FROM audit_signing_keys`,
    );
    return new Map(rows.map((row) => [row.id, row.public_key]));
  }

  private async load(): Promise<AuditSigner> {
    const seed = this.config.audit.signingKeySeed;
    if (seed) {
      const privateKey = privateKeyFromSeed(seed);
      const publicKey = rawPublicKeyOf(privateKey);
      const keyId = signingKeyIdOf(publicKey);
      await this.dataSource.query(
        `INSERT INTO audit_signing_keys (id, public_key, generated) VALUES ($1, $2, false)
         ON CONFLICT (id) DO NOTHING`,
        [keyId, publicKey],
      );
      return { keyId, privateKey };
    }
    return (await this.storedGenerated()) ?? this.generate();
  }

  /** Two processes may both generate; the unique index keeps the first, both use it. */
  private async generate(): Promise<AuditSigner> {
    const { privateKey } = generateKeyPairSync('ed25519');
    const publicKey = rawPublicKeyOf(privateKey);
    const keyId = signingKeyIdOf(publicKey);
    const sealed = this.cipher.seal(seedOf(privateKey), contextOf(keyId));
    await this.dataSource.query(
      `INSERT INTO audit_signing_keys
         (id, public_key, private_ciphertext, private_wrapped_key, private_key_id, generated)
       VALUES ($1, $2, $3, $4, $5, true)
       ON CONFLICT DO NOTHING`,
      [keyId, publicKey, sealed.ciphertext, sealed.wrappedKey, sealed.keyId],
    );
    const stored = await this.storedGenerated();
    if (!stored) {
      throw new Error('generated audit signing key was not stored');
    }
    return stored;
  }

  private async storedGenerated(): Promise<AuditSigner | undefined> {
    const [row] = await this.dataSource.query<KeyRow[]>(
      `SELECT id, public_key, private_ciphertext, private_wrapped_key, private_key_id
         FROM audit_signing_keys WHERE generated`,
    );
    if (!row?.private_ciphertext || !row.private_wrapped_key || !row.private_key_id) {
      return undefined;
    }
    const seed = this.cipher.open(
      {
        ciphertext: row.private_ciphertext,
        wrappedKey: row.private_wrapped_key,
        keyId: row.private_key_id,
      },
      contextOf(row.id),
    );
    return { keyId: row.id, privateKey: privateKeyFromSeed(seed) };
  }
}
