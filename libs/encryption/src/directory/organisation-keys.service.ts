import { Injectable, Optional } from '@nestjs/common';
import DataLoader from 'dataloader';
import {
  apiKeyActor,
  type AuthContext,
  AuditLog,
  EnvelopeCipher,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { removeOrganisationKey } from './organisation-key-removal';
import { generateOrganisationKey, type OrganisationKeyKind } from '../pgp/pgp-key-generator';
import { PgpKeyError } from '../pgp/pgp-key.error';
import { readEncryptionKey } from '../pgp/pgp-public-key-reader';

export type OrganisationKeyPurpose = 'pgp-signing' | 'pgp-archive';

export interface OrganisationKeyView {
  purpose: OrganisationKeyPurpose;
  fingerprint: string;
  publicKey: string;
  createdAt: string;
}

/** What delivery adds to every PGP message of the organisation. */
export interface OrganisationPgpMaterial {
  archiveKey?: string;
  signingKey?: { armored: string };
}

interface KeyRow {
  purpose: OrganisationKeyPurpose;
  fingerprint: string;
  public_armored: string;
  private_ciphertext: Buffer | null;
  private_wrapped_key: Buffer | null;
  private_key_id: string | null;
  created_at: Date;
}

const contextOf = (organisationId: string) => `organisation-key:${organisationId}:pgp-signing`;

/**
 * The organisation's own PGP keys: a signing key Sealpost generates (its private half sealed
 * with the master key, never shown) and an archive key whose holder can read every copy.
 */
@Injectable()
export class OrganisationKeysService {
  // Every PGP copy of a delivery batch asks at once; one read serves them all. Not cached, so
  // a key set or removed a moment ago counts for the next batch.
  private readonly deliveryMaterial = new DataLoader<string, OrganisationPgpMaterial>(
    async (organisationIds) => {
      const unique = [...new Set(organisationIds)];
      const read = await Promise.all(unique.map((id) => this.readDeliveryMaterial(id)));
      return organisationIds.map((id) => read[unique.indexOf(id)]);
    },
    { cache: false },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async generateSigningKey(
    caller: AuthContext,
    identity: { name: string; email: string },
    kind: OrganisationKeyKind,
  ): Promise<OrganisationKeyView> {
    const key = await generateOrganisationKey(identity.name, identity.email, kind);
    const sealed = this.cipher.seal(
      Buffer.from(key.privateArmored, 'utf8'),
      contextOf(caller.organisationId),
    );
    return this.store(caller, 'pgp-signing', key.fingerprint, key.publicArmored, sealed);
  }

  async setArchiveKey(caller: AuthContext, armored: string): Promise<OrganisationKeyView> {
    try {
      const key = await readEncryptionKey(armored);
      const fingerprint = key.getFingerprint().toUpperCase();
      return await this.store(caller, 'pgp-archive', fingerprint, key.armor(), null);
    } catch (error) {
      if (error instanceof PgpKeyError) {
        throw new SealpostError(ErrorCode.ValidationFailed, error.message, [
          { path: 'armoredKey', message: error.reason },
        ]);
      }
      throw error;
    }
  }

  async list(caller: AuthContext): Promise<OrganisationKeyView[]> {
    const rows = await this.rows(caller.organisationId);
    return rows.map(view);
  }

  remove(caller: AuthContext, purpose: OrganisationKeyPurpose): Promise<void> {
    return removeOrganisationKey(
      this.dataSource,
      this.audit,
      caller,
      purpose,
      'No such organisation key.',
    );
  }

  forDelivery(organisationId: string): Promise<OrganisationPgpMaterial> {
    return this.deliveryMaterial.load(organisationId);
  }

  private async readDeliveryMaterial(organisationId: string): Promise<OrganisationPgpMaterial> {
    const rows = await this.rows(organisationId);
    const archive = rows.find((row) => row.purpose === 'pgp-archive');
    const signing = rows.find((row) => row.purpose === 'pgp-signing');
    const material: OrganisationPgpMaterial = {};
    if (archive) {
      material.archiveKey = archive.public_armored;
    }
    if (signing?.private_ciphertext && signing.private_wrapped_key && signing.private_key_id) {
      const armored = this.cipher.open(
        {
          ciphertext: signing.private_ciphertext,
          wrappedKey: signing.private_wrapped_key,
          keyId: signing.private_key_id,
        },
        contextOf(organisationId),
      );
      material.signingKey = { armored: armored.toString('utf8') };
    }
    return material;
  }

  private rows(organisationId: string): Promise<KeyRow[]> {
    return this.dataSource.query<KeyRow[]>(
      `SELECT purpose, fingerprint, public_armored, private_ciphertext, private_wrapped_key,
              private_key_id, created_at
         FROM organisation_keys WHERE organisation_id = $1 AND purpose LIKE 'pgp-%'
        ORDER BY purpose`,
      [organisationId],
    );
  }

  private async store(
    caller: AuthContext,
    purpose: OrganisationKeyPurpose,
    fingerprint: string,
    publicArmored: string,
    sealed: { ciphertext: Buffer; wrappedKey: Buffer; keyId: string } | null,
  ): Promise<OrganisationKeyView> {
    const audit = requireAuditLog(this.audit);
    const row = await this.dataSource.transaction(async (tx) => {
      const [stored] = await tx.query<KeyRow[]>(
        `INSERT INTO organisation_keys (organisation_id, purpose, fingerprint, public_armored,
           private_ciphertext, private_wrapped_key, private_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (organisation_id, purpose) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, public_armored = EXCLUDED.public_armored,
           private_ciphertext = EXCLUDED.private_ciphertext,
           private_wrapped_key = EXCLUDED.private_wrapped_key,
           private_key_id = EXCLUDED.private_key_id, created_at = now()
         RETURNING purpose, fingerprint, public_armored, created_at`,
        [
          caller.organisationId,
          purpose,
          fingerprint,
          publicArmored,
          sealed?.ciphertext ?? null,
          sealed?.wrappedKey ?? null,
          sealed?.keyId ?? null,
        ],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'organisation_key.stored',
        target: { type: 'organisation_key', id: purpose },
        details: { fingerprint },
      });
      return stored;
    });
    return view(row);
  }
}

function view(row: Pick<KeyRow, 'purpose' | 'fingerprint' | 'public_armored' | 'created_at'>) {
  return {
    purpose: row.purpose,
    fingerprint: row.fingerprint,
    publicKey: row.public_armored,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
