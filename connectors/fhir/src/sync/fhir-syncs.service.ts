import { Injectable, Optional } from '@nestjs/common';
import {
  type AuditActor,
  AuditLog,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource } from 'typeorm';
import { FHIR_SYNC_CHANNEL } from './fhir-sync-job';

/** Where one recipient of a message stands in one EHR. */
export interface FhirSyncView {
  id: string;
  connectionId: string;
  messageId: string;
  recipientId: string;
  /** pending (queued or retrying), synced, failed (after the last retry), skipped (unlinked). */
  status: 'pending' | 'synced' | 'failed' | 'skipped';
  /** The Communication status last written. */
  communicationStatus: string | null;
  communicationId: string | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  syncedAt: string | null;
}

interface SyncRow {
  id: string;
  connection_id: string;
  message_id: string;
  recipient_id: string;
  status: FhirSyncView['status'];
  fhir_status: string | null;
  fhir_id: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  synced_at: Date | null;
}

const COLUMNS = `id::text AS id, connection_id, message_id, recipient_id, status, fhir_status,
  fhir_id, attempts, last_error, next_attempt_at, synced_at`;
const MAX_LISTED = 200;

/** EHR sync status for the API: per message, the failures, and replaying one. */
@Injectable()
export class FhirSyncsService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async forMessage(organisationId: string, messageId: string): Promise<FhirSyncView[]> {
    const [message] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM messages WHERE organisation_id = $1 AND id = $2`,
      [organisationId, messageId],
    );
    if (!message) {
      throw new SealpostError(ErrorCode.NotFound, 'No such message.');
    }
    const rows = await this.dataSource.query<SyncRow[]>(
      `SELECT ${COLUMNS} FROM fhir_syncs WHERE organisation_id = $1 AND message_id = $2
        ORDER BY id`,
      [organisationId, messageId],
    );
    return rows.map(viewOf);
  }

  async failed(organisationId: string): Promise<FhirSyncView[]> {
    const rows = await this.dataSource.query<SyncRow[]>(
      `SELECT ${COLUMNS} FROM fhir_syncs WHERE organisation_id = $1 AND status = 'failed'
        ORDER BY updated_at DESC, id DESC LIMIT $2`,
      [organisationId, MAX_LISTED],
    );
    return rows.map(viewOf);
  }

  /** A failed row goes back to the queue with a fresh set of attempts. */
  async replay(organisationId: string, id: string, actor: AuditActor): Promise<FhirSyncView> {
    const audit = requireAuditLog(this.audit);
    return this.dataSource.transaction(async (tx) => {
      const [rows] = await tx.query<[SyncRow[], number]>(
        `UPDATE fhir_syncs SET status = 'pending', attempts = 0, next_attempt_at = now(),
           enqueued_at = NULL, updated_at = now()
          WHERE organisation_id = $1 AND id = $2 AND status = 'failed'
          RETURNING ${COLUMNS}`,
        [organisationId, id],
      );
      if (!rows.length) {
        const [exists] = await tx.query<unknown[]>(
          `SELECT 1 FROM fhir_syncs WHERE organisation_id = $1 AND id = $2`,
          [organisationId, id],
        );
        throw exists
          ? new SealpostError(ErrorCode.InvalidState, 'Only a failed EHR sync can be replayed.')
          : new SealpostError(ErrorCode.NotFound, 'No such EHR sync.');
      }
      await audit.append(tx, {
        organisationId,
        actor,
        action: 'fhir_sync.replayed',
        target: { type: 'fhir_sync', id },
      });
      await tx.query(`SELECT pg_notify($1, '')`, [FHIR_SYNC_CHANNEL]);
      return viewOf(rows[0]);
    });
  }
}

function viewOf(row: SyncRow): FhirSyncView {
  return {
    id: row.id,
    connectionId: row.connection_id,
    messageId: row.message_id,
    recipientId: row.recipient_id,
    status: row.status,
    communicationStatus: row.fhir_status,
    communicationId: row.fhir_id,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    syncedAt: row.synced_at?.toISOString() ?? null,
  };
}
