import { Injectable } from '@nestjs/common';
import { ErrorCode, SealpostError } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { publicKeyFromRaw } from '../checkpoints/checkpoint-signature';
import { type AuditRecordRow, recordOf } from '../verification/audit-chain-verifier.service';
import {
  type AuditRecordFilters,
  type AuditRecordPage,
  type AuditRecordView,
  type CheckpointExport,
} from './audit-record-views';

interface CheckpointRow {
  sequence: string;
  hash: Buffer;
  signed_at: Date;
  key_id: string;
  signature: Buffer;
}

/** Reads of an organisation's audit records and checkpoints, newest first, keyset-paged. */
@Injectable()
export class AuditRecordsQuery {
  constructor(private readonly dataSource: DataSource) {}

  async list(organisationId: string, filters: AuditRecordFilters): Promise<AuditRecordPage> {
    const rows = await this.dataSource.query<AuditRecordRow[]>(
      `SELECT * FROM audit_records
        WHERE organisation_id = $1
          AND ($2::bigint IS NULL OR sequence < $2)
          AND ($3::text IS NULL OR action = $3)
          AND ($4::text IS NULL OR actor_type = $4)
          AND ($5::text IS NULL OR actor_id = $5)
          AND ($6::text IS NULL OR target_type = $6)
          AND ($7::text IS NULL OR target_id = $7)
          AND ($8::timestamptz IS NULL OR recorded_at >= $8)
          AND ($9::timestamptz IS NULL OR recorded_at < $9)
        ORDER BY sequence DESC
        LIMIT $10`,
      [
        organisationId,
        parseCursor(filters.cursor),
        filters.action ?? null,
        filters.actorType ?? null,
        filters.actorId ?? null,
        filters.targetType ?? null,
        filters.targetId ?? null,
        filters.from ?? null,
        filters.to ?? null,
        filters.limit + 1,
      ],
    );
    const page = rows.slice(0, filters.limit).map(recordView);
    const more = rows.length > filters.limit;
    return { data: page, nextCursor: more ? String(page[page.length - 1].sequence) : null };
  }

  /** Checkpoints oldest first, after `cursor`, with every public key they name. */
  async checkpoints(
    organisationId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<CheckpointExport> {
    const rows = await this.dataSource.query<CheckpointRow[]>(
      `SELECT sequence, hash, signed_at, key_id, signature FROM audit_checkpoints
        WHERE organisation_id = $1 AND ($2::bigint IS NULL OR sequence > $2)
        ORDER BY sequence LIMIT $3`,
      [organisationId, parseCursor(cursor), limit + 1],
    );
    const page = rows.slice(0, limit);
    const keyIds = [...new Set(page.map((row) => row.key_id))];
    const keys = await this.dataSource.query<{ id: string; public_key: Buffer }[]>(
      `SELECT id, public_key FROM audit_signing_keys WHERE id = ANY($1) ORDER BY id`,
      [keyIds],
    );
    return {
      organisationId,
      checkpoints: page.map((row) => ({
        sequence: Number(row.sequence),
        hash: row.hash.toString('hex'),
        signedAt: row.signed_at.toISOString(),
        keyId: row.key_id,
        signature: row.signature.toString('base64'),
      })),
      keys: keys.map((key) => ({
        keyId: key.id,
        publicKey: key.public_key.toString('base64'),
        publicKeyPem: publicKeyFromRaw(key.public_key)
          .export({ format: 'pem', type: 'spki' })
          .toString(),
      })),
      nextCursor: rows.length > limit ? String(page[page.length - 1].sequence) : null,
    };
  }
}

function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) {
    return null;
  }
  if (!/^\d{1,15}$/.test(cursor)) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
      { path: 'cursor', message: 'must be a nextCursor this API returned' },
    ]);
  }
  return Number(cursor);
}

function recordView(row: AuditRecordRow): AuditRecordView {
  const record = recordOf(row);
  return {
    sequence: record.sequence,
    recordedAt: record.recordedAt.toISOString(),
    actor: record.actor,
    action: record.action,
    target: record.target,
    outcome: record.outcome,
    details: record.details,
    previousHash: record.previousHash.toString('hex'),
    hash: record.hash.toString('hex'),
  };
}
