import { X509Certificate } from 'node:crypto';
import { Injectable, Logger, Optional } from '@nestjs/common';
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
import { type CmsSigner } from '../smime/cms-signed-data.builder';
import { SmimeCertificateError } from '../smime/smime-certificate.error';
import {
  inspectSigningIdentity,
  type SigningIdentityInput,
} from '../smime/smime-signing-identity.inspector';
import { readX509Fields } from '../smime/x509-certificate.reader';

/** The organisation's S/MIME signing identity as the API shows it: never the private key. */
export interface OrganisationSmimeView {
  purpose: 'smime-signing';
  /** Lower-case hex SHA-256 of the signing certificate. */
  fingerprint: string;
  /** The signing certificate, then its chain, PEM. */
  certificate: string;
  expiresAt: string;
  createdAt: string;
}

interface SigningRow {
  fingerprint: string;
  public_armored: string;
  private_ciphertext: Buffer;
  private_wrapped_key: Buffer;
  private_key_id: string;
  created_at: Date;
}

const PURPOSE = 'smime-signing';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;
// Which request field a refusal is about, so a client can point at it.
const KEY_PROBLEMS = new Set(['malformed_key', 'key_mismatch', 'unsupported_key']);

const contextOf = (organisationId: string) => `organisation-key:${organisationId}:${PURPOSE}`;

/**
 * The certificate and key that sign the organisation's S/MIME mail. Stored in
 * organisation_keys beside the PGP keys: the certificate and chain as public material, the
 * private key sealed with the master key and never shown again.
 */
@Injectable()
export class OrganisationSmimeService {
  private readonly logger = new Logger(OrganisationSmimeService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async setSigningCertificate(
    caller: AuthContext,
    input: SigningIdentityInput,
  ): Promise<OrganisationSmimeView> {
    const identity = inspect(input);
    const { certPem, chainPems, keyPem } = identity.signer;
    const sealed = this.cipher.seal(Buffer.from(keyPem, 'utf8'), contextOf(caller.organisationId));

    const audit = requireAuditLog(this.audit);
    const row = await this.dataSource.transaction(async (tx) => {
      const [stored] = await tx.query<SigningRow[]>(
        `INSERT INTO organisation_keys (organisation_id, purpose, fingerprint, public_armored,
           private_ciphertext, private_wrapped_key, private_key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (organisation_id, purpose) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, public_armored = EXCLUDED.public_armored,
           private_ciphertext = EXCLUDED.private_ciphertext,
           private_wrapped_key = EXCLUDED.private_wrapped_key,
           private_key_id = EXCLUDED.private_key_id, created_at = now()
         RETURNING fingerprint, public_armored, created_at`,
        [
          caller.organisationId,
          PURPOSE,
          identity.fingerprintSha256,
          [certPem, ...chainPems].join(''),
          sealed.ciphertext,
          sealed.wrappedKey,
          sealed.keyId,
        ],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'organisation_key.stored',
        target: { type: 'organisation_key', id: PURPOSE },
        details: { fingerprint: stored.fingerprint },
      });
      return stored;
    });
    this.logger.log(
      { organisationId: caller.organisationId, fingerprint: row.fingerprint },
      'organisation S/MIME signing certificate stored',
    );
    return view(row);
  }

  async list(caller: AuthContext): Promise<OrganisationSmimeView[]> {
    const row = await this.row(caller.organisationId);
    return row ? [view(row)] : [];
  }

  remove(caller: AuthContext): Promise<void> {
    return removeOrganisationKey(
      this.dataSource,
      this.audit,
      caller,
      PURPOSE,
      'No S/MIME signing certificate.',
    );
  }

  /**
   * What signs the organisation's S/MIME mail now, if anything. A certificate that expired
   * since upload is not used: recipients would reject the signature, while an unsigned but
   * encrypted message still reaches them.
   */
  async signerFor(organisationId: string, now = new Date()): Promise<CmsSigner | undefined> {
    const row = await this.row(organisationId);
    if (!row) {
      return undefined;
    }
    const [certPem, ...chainPems] = row.public_armored.match(PEM_BLOCK) ?? [];
    if (!certPem) {
      // Only setSigningCertificate writes the row, from a certificate it parsed.
      throw new Error('the stored S/MIME signing certificate holds no PEM certificate');
    }
    if (notAfterOf(certPem) < now) {
      this.logger.warn(
        { organisationId, fingerprint: row.fingerprint },
        'organisation S/MIME signing certificate expired; sending unsigned',
      );
      return undefined;
    }
    const keyPem = this.cipher.open(
      {
        ciphertext: row.private_ciphertext,
        wrappedKey: row.private_wrapped_key,
        keyId: row.private_key_id,
      },
      contextOf(organisationId),
    );
    return { certPem, chainPems, keyPem: keyPem.toString('utf8') };
  }

  private async row(organisationId: string): Promise<SigningRow | undefined> {
    const [row] = await this.dataSource.query<SigningRow[]>(
      `SELECT fingerprint, public_armored, private_ciphertext, private_wrapped_key,
              private_key_id, created_at
         FROM organisation_keys WHERE organisation_id = $1 AND purpose = $2`,
      [organisationId, PURPOSE],
    );
    return row;
  }
}

function inspect(input: SigningIdentityInput) {
  try {
    return inspectSigningIdentity(input);
  } catch (error) {
    if (error instanceof SmimeCertificateError) {
      const path = KEY_PROBLEMS.has(error.code) ? 'privateKey' : 'certificate';
      throw new SealpostError(ErrorCode.ValidationFailed, error.message, [
        { path, message: error.code },
      ]);
    }
    throw error;
  }
}

/** Of the first certificate in `pem`: the signing one, stored before its chain. */
function notAfterOf(pem: string): Date {
  return readX509Fields(new X509Certificate(pem).raw).notAfter;
}

function view(row: Pick<SigningRow, 'fingerprint' | 'public_armored' | 'created_at'>) {
  return {
    purpose: PURPOSE,
    fingerprint: row.fingerprint,
    certificate: row.public_armored,
    expiresAt: notAfterOf(row.public_armored).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  } satisfies OrganisationSmimeView;
}
