import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  type AuthContext,
  AuditLog,
  ErrorCode,
  requireAuditLog,
  SEALPOST_CONFIG,
  SealpostError,
  type SealpostConfig,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { inspectCertificate } from '../smime/smime-certificate-inspector';
import { SmimeCertificateError } from '../smime/smime-certificate.error';
import { type DirectoryEntryView, type DirectoryLookup, normaliseAddress } from './directory-entry';

interface CertificateRow {
  id: string;
  address: string;
  fingerprint: string;
  pem: string;
  not_after: Date;
  capabilities: { oaep?: boolean; gcm?: boolean };
  created_at: Date;
}

export interface UsableCertificate {
  pem: string;
  /** AuthEnvelopedData with GCM and OAEP only when the certificate says it can. */
  supportsGcm: boolean;
}

/** Recipients' S/MIME certificates, per organisation, checked on upload and before use. */
@Injectable()
export class CertificateDirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async upload(caller: AuthContext, address: string, pem: string): Promise<DirectoryEntryView> {
    const owner = normaliseAddress(address);
    let certificate;
    try {
      certificate = inspectCertificate(pem, owner, {
        trustedCaPems: this.config.encryption.smimeTrustedCaPems,
      });
    } catch (error) {
      if (error instanceof SmimeCertificateError) {
        throw new SealpostError(ErrorCode.ValidationFailed, error.message, [
          { path: 'certificate', message: error.code },
        ]);
      }
      throw error;
    }
    const audit = requireAuditLog(this.audit);
    const row = await this.dataSource.transaction(async (tx) => {
      const [stored] = await tx.query<CertificateRow[]>(
        `INSERT INTO recipient_certificates
           (organisation_id, address, fingerprint, pem, not_after, capabilities)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (organisation_id, address, fingerprint)
           DO UPDATE SET pem = EXCLUDED.pem, capabilities = EXCLUDED.capabilities
         RETURNING id, address, fingerprint, pem, not_after, capabilities, created_at`,
        [
          caller.organisationId,
          owner,
          certificate.fingerprintSha256,
          certificate.pem,
          certificate.notAfter,
          certificate.capabilities,
        ],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'recipient_certificate.uploaded',
        target: { type: 'recipient_certificate', id: stored.id },
        details: { fingerprint: stored.fingerprint },
      });
      return stored;
    });
    return view(row);
  }

  async list(caller: AuthContext, address?: string): Promise<DirectoryEntryView[]> {
    const rows = await this.dataSource.query<CertificateRow[]>(
      `SELECT id, address, fingerprint, pem, not_after, capabilities, created_at
         FROM recipient_certificates
        WHERE organisation_id = $1 AND ($2::text IS NULL OR address = $2)
        ORDER BY address, created_at DESC`,
      [caller.organisationId, address ? normaliseAddress(address) : null],
    );
    return rows.map(view);
  }

  async remove(caller: AuthContext, id: string): Promise<void> {
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction(async (tx) => {
      const [, deleted] = await tx.query<[unknown, number]>(
        `DELETE FROM recipient_certificates WHERE id = $1 AND organisation_id = $2`,
        [id, caller.organisationId],
      );
      if (!deleted) {
        throw new SealpostError(ErrorCode.NotFound, 'No such certificate.');
      }
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'recipient_certificate.deleted',
        target: { type: 'recipient_certificate', id },
      });
    });
  }
}

/**
 * The newest of `rows` that is valid now for `owner`, or why none is. With a CA bundle, a
 * certificate stored before the bundle was set (or whose issuer has since been removed from
 * it, or expired) must still chain to it: trust is decided at each use, not once at upload.
 */
export function chooseUsableCertificate(
  rows: { pem: string }[],
  owner: string,
  trustedCaPems: string[] = [],
): DirectoryLookup<UsableCertificate> {
  if (!rows.length) {
    return { usable: false, reason: 'no S/MIME certificate' };
  }
  let reason = 'S/MIME certificate unusable';
  for (const row of rows) {
    try {
      const certificate = inspectCertificate(row.pem, owner, { trustedCaPems });
      const { oaep, gcm } = certificate.capabilities;
      return { usable: true, material: { pem: row.pem, supportsGcm: oaep && gcm } };
    } catch (error) {
      if (!(error instanceof SmimeCertificateError)) {
        throw error;
      }
      reason = unusableReason(error);
    }
  }
  return { usable: false, reason };
}

function unusableReason(error: SmimeCertificateError): string {
  return error.code === 'untrusted_chain'
    ? 'S/MIME certificate does not chain to a trusted CA'
    : `S/MIME certificate ${error.code.replace(/_/g, ' ')}`;
}

function view(row: CertificateRow): DirectoryEntryView {
  return {
    id: row.id,
    address: row.address,
    fingerprint: row.fingerprint,
    expiresAt: new Date(row.not_after).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}
