import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { recipientFactsColumns, type RecipientFacts, UUID_PATTERN } from './recipient-facts';

export interface ClaimedSync {
  id: string;
  organisationId: string;
  connectionId: string;
  recipientId: string;
  generation: number;
  attempts: number;
  fhirId: string | null;
  fhirVersion: string | null;
  fhirStatus: string | null;
  writtenKeys: string[];
  /** Null when the recipient or its message is gone. */
  facts: RecipientFacts | null;
}

export interface SyncResult {
  status: 'synced' | 'pending' | 'failed' | 'skipped';
  error?: string;
  nextAttemptAt?: Date;
  fhirId?: string;
  fhirVersion?: string | null;
  fhirStatus?: string;
  writtenKeys?: string[];
}

interface ClaimRow extends Partial<RecipientFacts> {
  id: string;
  organisation_id: string;
  connection_id: string;
  recipient_id: string;
  generation: number;
  attempts: number;
  fhir_id: string | null;
  fhir_version: string | null;
  fhir_status: string | null;
  written_keys: string[];
}

// Longer than any write takes (token request plus a few FHIR calls with their timeouts); a
// worker that dies mid-write leaves the row to the next claim after this.
const LEASE_MS = 2 * 60 * 1000;

/** The sync rows' state changes: a leased claim, and one result per attempt. */
@Injectable()
export class FhirSyncStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Leases a due row and reads its recipient's facts in the same statement (a sync runs once
   * per event, and every round trip counts). The generation is read from the statement's
   * snapshot, the one the events are read from: if an event committed while the claim waited
   * for the row lock, the row's generation has moved past it, and `finish` leaves it pending.
   */
  async claim(organisationId: string, id: string, now: Date): Promise<ClaimedSync | null> {
    const [row] = await this.dataSource.query<ClaimRow[]>(
      `WITH claimed AS (
         UPDATE fhir_syncs SET attempts = attempts + 1, lease_until = $3, updated_at = now()
          WHERE organisation_id = $1 AND id = $2 AND status = 'pending'
            AND next_attempt_at <= $4 AND (lease_until IS NULL OR lease_until < $4)
          RETURNING id, organisation_id, connection_id, recipient_id, attempts, fhir_id,
                    fhir_version, fhir_status, written_keys)
       SELECT s.id::text AS id, s.organisation_id, s.connection_id, s.recipient_id,
              (SELECT f.generation FROM fhir_syncs f WHERE f.id = s.id) AS generation,
              s.attempts, s.fhir_id, s.fhir_version, s.fhir_status, s.written_keys,
              ${recipientFactsColumns('$5')}
         FROM claimed s
         LEFT JOIN message_recipients r
           ON r.id = s.recipient_id AND r.organisation_id = s.organisation_id
         LEFT JOIN messages m ON m.id = r.message_id`,
      [organisationId, id, new Date(now.getTime() + LEASE_MS), now, UUID_PATTERN],
    );
    if (!row) {
      return null;
    }
    return {
      id: row.id,
      organisationId: row.organisation_id,
      connectionId: row.connection_id,
      recipientId: row.recipient_id,
      generation: row.generation,
      attempts: row.attempts,
      fhirId: row.fhir_id,
      fhirVersion: row.fhir_version,
      fhirStatus: row.fhir_status,
      writtenKeys: row.written_keys,
      facts: row.message_id ? (row as RecipientFacts) : null,
    };
  }

  /**
   * Records an attempt. An event that arrived during the write bumped the generation (and
   * reset attempts): the row then stays pending and due, so the newer state is written next.
   */
  async finish(claimed: ClaimedSync, result: SyncResult): Promise<void> {
    await this.dataSource.query(
      `UPDATE fhir_syncs SET
         status = CASE WHEN generation = $3 THEN $4 ELSE 'pending' END,
         next_attempt_at = CASE WHEN generation = $3 THEN COALESCE($5, next_attempt_at)
                                ELSE now() END,
         attempts = CASE WHEN generation = $3 AND $4 = 'synced' THEN 0 ELSE attempts END,
         last_error = CASE WHEN $4 = 'synced' THEN NULL ELSE $6 END,
         fhir_id = COALESCE($7, fhir_id), fhir_version = COALESCE($8, fhir_version),
         fhir_status = COALESCE($9, fhir_status),
         written_keys = COALESCE($10, written_keys),
         synced_at = CASE WHEN $4 = 'synced' THEN now() ELSE synced_at END,
         lease_until = NULL, enqueued_at = NULL, updated_at = now()
       WHERE organisation_id = $1 AND id = $2`,
      [
        claimed.organisationId,
        claimed.id,
        claimed.generation,
        result.status,
        result.nextAttemptAt ?? null,
        result.error ?? null,
        result.fhirId ?? null,
        result.fhirVersion ?? null,
        result.fhirStatus ?? null,
        result.writtenKeys ?? null,
      ],
    );
  }
}
