import { Inject, Injectable } from '@nestjs/common';
import {
  SEALPOST_CONFIG,
  type SealpostConfig,
  preparedStatement,
  queryPrepared,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { WkdLookupService } from '../wkd/wkd-lookup.service';
import { type UsableCertificate, chooseUsableCertificate } from './certificate-directory.service';
import { type DirectoryLookup, normaliseAddress } from './directory-entry';
import { VerifiedPgpKeys } from '../pgp/verified-pgp-keys';
import { chooseUsableKey } from './pgp-key-directory.service';

export interface RecipientMaterial {
  pgp: DirectoryLookup<string>;
  smime: DirectoryLookup<UsableCertificate>;
}

// Asked for every copy delivered: prepared once per connection, not parsed per call.
const RECIPIENT_MATERIAL = preparedStatement(
  'recipient_material',
  `SELECT 'pgp' AS kind, fingerprint, armored AS material, created_at
     FROM recipient_pgp_keys WHERE organisation_id = $1 AND address = $2
   UNION ALL
   SELECT 'smime', fingerprint, pem, created_at
     FROM recipient_certificates WHERE organisation_id = $1 AND address = $2
   ORDER BY created_at DESC`,
);

interface MaterialRow {
  kind: 'pgp' | 'smime';
  fingerprint: string;
  material: string;
}

/**
 * Everything known about one recipient's keys, read in one query: delivery asks this for
 * every copy, and most recipients have neither a key nor a certificate.
 */
@Injectable()
export class RecipientDirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly wkd: WkdLookupService,
    private readonly pgpKeys: VerifiedPgpKeys,
  ) {}

  async lookup(organisationId: string, address: string): Promise<RecipientMaterial> {
    const owner = normaliseAddress(address);
    const rows = await queryPrepared<MaterialRow>(this.dataSource, RECIPIENT_MATERIAL, [
      organisationId,
      owner,
    ]);
    const keys = rows.filter((row) => row.kind === 'pgp');
    const certificates = rows.filter((row) => row.kind === 'smime');
    const stored = await chooseUsableKey(
      keys.map((row) => ({ fingerprint: row.fingerprint, armored: row.material })),
      owner,
      (armored, address) => this.pgpKeys.inspect(armored, address),
    );
    return {
      pgp: stored.usable ? stored : await this.fromWkd(owner, stored.reason),
      smime: chooseUsableCertificate(
        certificates.map((row) => ({ pem: row.material })),
        owner,
        this.config.encryption.smimeTrustedCaPems,
      ),
    };
  }

  /** A stored key always wins; WKD is asked only when none is usable, and only if enabled. */
  private async fromWkd(owner: string, storedReason: string): Promise<DirectoryLookup<string>> {
    if (!this.config.encryption.wkd.enabled) {
      return { usable: false, reason: storedReason };
    }
    const published = await this.wkd.lookup(owner);
    return published.usable
      ? published
      : { usable: false, reason: `${storedReason}; ${published.reason}` };
  }
}
