import { Injectable, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  type AuthContext,
  AuditLog,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { inspectPublicKey } from '../pgp/pgp-key-inspector';
import { PgpKeyError } from '../pgp/pgp-key.error';
import { type DirectoryEntryView, type DirectoryLookup, normaliseAddress } from './directory-entry';

interface KeyRow {
  id: string;
  address: string;
  fingerprint: string;
  armored: string;
  expires_at: Date | null;
  created_at: Date;
}

/** Recipients' public PGP keys, per organisation, checked on upload and again before use. */
@Injectable()
export class PgpKeyDirectoryService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async upload(caller: AuthContext, address: string, armored: string): Promise<DirectoryEntryView> {
    const owner = normaliseAddress(address);
    const key = await inspectPublicKey(armored, owner).catch((error: unknown) => {
      if (error instanceof PgpKeyError) {
        throw new SealpostError(ErrorCode.ValidationFailed, error.message, [
          { path: 'armoredKey', message: error.reason },
        ]);
      }
      throw error;
    });
    const audit = requireAuditLog(this.audit);
    const row = await this.dataSource.transaction(async (tx) => {
      const [stored] = await tx.query<KeyRow[]>(
        `INSERT INTO recipient_pgp_keys (organisation_id, address, fingerprint, armored, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organisation_id, address, fingerprint)
           DO UPDATE SET armored = EXCLUDED.armored, expires_at = EXCLUDED.expires_at
         RETURNING id, address, fingerprint, armored, expires_at, created_at`,
        [caller.organisationId, owner, key.fingerprint, key.armored, key.expiresAt],
      );
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'recipient_pgp_key.uploaded',
        target: { type: 'recipient_pgp_key', id: stored.id },
        details: { fingerprint: stored.fingerprint },
      });
      return stored;
    });
    return view(row);
  }

  async list(caller: AuthContext, address?: string): Promise<DirectoryEntryView[]> {
    const rows = await this.dataSource.query<KeyRow[]>(
      `SELECT id, address, fingerprint, armored, expires_at, created_at FROM recipient_pgp_keys
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
        `DELETE FROM recipient_pgp_keys WHERE id = $1 AND organisation_id = $2`,
        [id, caller.organisationId],
      );
      if (!deleted) {
        throw new SealpostError(ErrorCode.NotFound, 'No such key.');
      }
      await audit.append(tx, {
        organisationId: caller.organisationId,
        actor: apiKeyActor(caller),
        action: 'recipient_pgp_key.deleted',
        target: { type: 'recipient_pgp_key', id },
      });
    });
  }
}

/** The newest of `rows` that is valid now for `owner`, or why none is. */
export async function chooseUsableKey(
  rows: { fingerprint: string; armored: string }[],
  owner: string,
  inspect: (armored: string, owner: string) => Promise<unknown> = inspectPublicKey,
): Promise<DirectoryLookup<string>> {
  if (!rows.length) {
    return { usable: false, reason: 'no PGP key' };
  }
  let reason = 'PGP key unusable';
  for (const row of rows) {
    try {
      await inspect(row.armored, owner);
      return { usable: true, material: row.armored };
    } catch (error) {
      if (!(error instanceof PgpKeyError)) {
        throw error;
      }
      reason = `PGP key ${row.fingerprint.slice(-16)} ${error.reason.replace(/_/g, ' ')}`;
    }
  }
  return { usable: false, reason };
}

function view(row: KeyRow): DirectoryEntryView {
  return {
    id: row.id,
    address: row.address,
    fingerprint: row.fingerprint,
    expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
