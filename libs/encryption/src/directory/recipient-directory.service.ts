import { Inject, Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
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

// Asked for every batch of copies delivered: prepared once per connection, not parsed per call.
const RECIPIENT_MATERIAL = preparedStatement(
  'recipient_material_many',
  `SELECT address, 'pgp' AS kind, fingerprint, armored AS material, created_at
     FROM recipient_pgp_keys WHERE organisation_id = $1 AND address = ANY ($2::text[])
   UNION ALL
   SELECT address, 'smime', fingerprint, pem, created_at
     FROM recipient_certificates WHERE organisation_id = $1 AND address = ANY ($2::text[])
   ORDER BY created_at DESC`,
);

interface MaterialRow {
  address: string;
  kind: 'pgp' | 'smime';
  fingerprint: string;
  material: string;
}

interface MaterialKey {
  organisationId: string;
  owner: string;
}

/**
 * Everything known about one recipient's keys, read in one query: delivery asks this for
 * every copy, and most recipients have neither a key nor a certificate.
 */
@Injectable()
export class RecipientDirectoryService {
  // A delivery batch plans its copies side by side; their lookups, made in the same tick, are
  // answered by one query per organisation instead of one per copy. Nothing is cached: a key
  // uploaded a moment ago must count for the next copy.
  private readonly materials = new DataLoader<MaterialKey, MaterialRow[], string>(
    (keys) => this.readMaterials(keys),
    { cache: false, maxBatchSize: 500 },
  );

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly wkd: WkdLookupService,
    private readonly pgpKeys: VerifiedPgpKeys,
  ) {}

  async lookup(organisationId: string, address: string): Promise<RecipientMaterial> {
    const owner = normaliseAddress(address);
    const rows = await this.materials.load({ organisationId, owner });
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

  /** Rows for each key, newest first, in the order of `keys`: one query per organisation. */
  private async readMaterials(keys: readonly MaterialKey[]): Promise<MaterialRow[][]> {
    const byKey = new Map<string, MaterialRow[]>();
    const owners = new Map<string, Set<string>>();
    for (const { organisationId, owner } of keys) {
      owners.set(organisationId, (owners.get(organisationId) ?? new Set()).add(owner));
    }
    await Promise.all(
      [...owners].map(async ([organisationId, addresses]) => {
        const rows = await queryPrepared<MaterialRow>(this.dataSource, RECIPIENT_MATERIAL, [
          organisationId,
          [...addresses],
        ]);
        for (const row of rows) {
          const key = keyOf(organisationId, row.address);
          byKey.set(key, [...(byKey.get(key) ?? []), row]);
        }
      }),
    );
    return keys.map(({ organisationId, owner }) => byKey.get(keyOf(organisationId, owner)) ?? []);
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

function keyOf(organisationId: string, owner: string): string {
  return `${organisationId} ${owner}`;
}
