import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import {
  type AuditActor,
  AuditLog,
  Clock,
  EnvelopeCipher,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK, type KeyLike } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';

export const SIGNING_ALGORITHMS = ['ES384', 'RS384'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface SigningKeyView {
  kid: string;
  algorithm: SigningAlgorithm;
  createdAt: string;
  /** The newest key signs; older ones stay published until removed. */
  signing: boolean;
}

export interface SigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: KeyLike;
}

interface KeyRow {
  id: string;
  algorithm: SigningAlgorithm;
  created_at: Date;
}

interface PrivateRow extends KeyRow {
  private_ciphertext: Buffer;
  private_wrapped_key: Buffer;
  private_key_id: string;
}

// An EHR caches the JWKS it fetched (oidc-provider for at least a minute, others for longer),
// so a new key only starts signing this long after it is published; until then the previous
// key signs. A first key signs at once: there is nothing else.
export const KEY_PUBLISH_LEAD_MS = 5 * 60 * 1000;

const contextOf = (organisationId: string, kid: string) =>
  `fhir-signing-key:${organisationId}:${kid}`;

/**
 * The keys an organisation signs SMART client assertions with. Rotation: add a key (published
 * at once, signing after KEY_PUBLISH_LEAD_MS), then remove the old one once no EHR needs it.
 * Private keys are sealed at rest and never leave this service.
 */
@Injectable()
export class FhirSigningKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly clock: Clock,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async add(
    organisationId: string,
    algorithm: SigningAlgorithm,
    actor: AuditActor,
  ): Promise<SigningKeyView> {
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const view = await this.insert(tx, organisationId, algorithm);
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'fhir_signing_key.created',
        target: { type: 'fhir_signing_key', id: view.kid },
        details: { algorithm },
      });
      return view;
    });
  }

  /** Adds a first key inside the caller's (audited) transaction when there is none. */
  async ensureOne(tx: EntityManager, organisationId: string): Promise<void> {
    const [existing] = await tx.query<{ id: string }[]>(
      `SELECT id FROM fhir_signing_keys WHERE organisation_id = $1 LIMIT 1`,
      [organisationId],
    );
    if (!existing) {
      await this.insert(tx, organisationId, 'ES384');
    }
  }

  async list(organisationId: string): Promise<SigningKeyView[]> {
    const rows = await this.dataSource.query<KeyRow[]>(
      `SELECT id, algorithm, created_at FROM fhir_signing_keys
        WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC`,
      [organisationId],
    );
    const signing = this.choose(rows);
    return rows.map((row) => viewOf(row, row.id === signing?.id));
  }

  async remove(organisationId: string, kid: string, actor: AuditActor): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query<[KeyRow[], number]>(
        `DELETE FROM fhir_signing_keys WHERE organisation_id = $1 AND id = $2 RETURNING id`,
        [organisationId, kid],
      );
      if (!rows.length) {
        throw new SealpostError(ErrorCode.NotFound, 'No such FHIR signing key.');
      }
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'fhir_signing_key.removed',
        target: { type: 'fhir_signing_key', id: kid },
      });
    });
  }

  /** The public JWKS document; public keys only. */
  async jwks(organisationId: string): Promise<{ keys: JWK[] }> {
    const rows = await this.dataSource.query<{ public_jwk: JWK }[]>(
      `SELECT public_jwk FROM fhir_signing_keys
        WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC`,
      [organisationId],
    );
    return { keys: rows.map((row) => row.public_jwk) };
  }

  /** The key that signs now (see `choose`), opened; null when the organisation has none. */
  async signingKey(organisationId: string): Promise<SigningKey | null> {
    const rows = await this.dataSource.query<PrivateRow[]>(
      `SELECT id, algorithm, created_at, private_ciphertext, private_wrapped_key, private_key_id
         FROM fhir_signing_keys WHERE organisation_id = $1
        ORDER BY created_at DESC, id DESC`,
      [organisationId],
    );
    const row = this.choose(rows);
    if (!row) {
      return null;
    }
    const pem = this.cipher.open(
      {
        ciphertext: row.private_ciphertext,
        wrappedKey: row.private_wrapped_key,
        keyId: row.private_key_id,
      },
      contextOf(organisationId, row.id),
    );
    return {
      kid: row.id,
      algorithm: row.algorithm,
      privateKey: await importPKCS8(pem.toString('utf8'), row.algorithm),
    };
  }

  /**
   * Of keys listed newest first: the newest published at least KEY_PUBLISH_LEAD_MS ago, else
   * the oldest (the first key of an organisation, or the one published longest).
   */
  private choose<T extends KeyRow>(rows: T[]): T | undefined {
    const publishedBefore = this.clock.now().getTime() - KEY_PUBLISH_LEAD_MS;
    return rows.find((row) => row.created_at.getTime() <= publishedBefore) ?? rows.at(-1);
  }

  private async insert(
    tx: EntityManager,
    organisationId: string,
    algorithm: SigningAlgorithm,
  ): Promise<SigningKeyView> {
    const kid = randomUUID();
    const { publicKey, privateKey } = await generateKeyPair(algorithm, {
      extractable: true,
      ...(algorithm === 'RS384' ? { modulusLength: 3072 } : {}),
    });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: algorithm, use: 'sig' };
    const sealed = this.cipher.seal(
      Buffer.from(await exportPKCS8(privateKey), 'utf8'),
      contextOf(organisationId, kid),
    );
    const [row] = await tx.query<KeyRow[]>(
      `INSERT INTO fhir_signing_keys (id, organisation_id, algorithm, public_jwk,
         private_ciphertext, private_wrapped_key, private_key_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, algorithm, created_at`,
      [
        kid,
        organisationId,
        algorithm,
        JSON.stringify(publicJwk),
        sealed.ciphertext,
        sealed.wrappedKey,
        sealed.keyId,
        // The clock the publication lead is measured with.
        this.clock.now(),
      ],
    );
    return viewOf(row, true);
  }
}

function viewOf(row: KeyRow, signing: boolean): SigningKeyView {
  return {
    kid: row.id,
    algorithm: row.algorithm,
    createdAt: row.created_at.toISOString(),
    signing,
  };
}
