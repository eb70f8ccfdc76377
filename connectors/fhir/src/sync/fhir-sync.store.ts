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

export interface FinishedSync {
  claimed: ClaimedSync;
  result: SyncResult;
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
  async claim(organisationId: string, ids: string[], now: Date): Promise<ClaimedSync[]> {
    const rows = await this.dataSource.query<ClaimRow[]>(
      `WITH claimed AS (
         UPDATE fhir_syncs SET attempts = attempts + 1, lease_until = $3, updated_at = now()
          WHERE organisation_id = $1 AND id = ANY ($2::bigint[]) AND status = 'pending'
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
      [organisationId, ids, new Date(now.getTime() + LEASE_MS), now, UUID_PATTERN],
    );
    return rows.map((row) => ({
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
    }));
  }

  /**
   * Records the attempts of a batch in one statement. An event that arrived during a write
   * bumped the row's generation (and reset attempts): that row stays pending and due, so the
   * newer state is written next.
   */
  async finish(organisationId: string, finished: FinishedSync[]): Promise<void> {
    if (!finished.length) {
      return;
    }
    const results = finished.map(({ claimed, result }) => ({
      id: claimed.id,
      generation: claimed.generation,
      status: result.status,
      next_attempt_at: result.nextAttemptAt?.toISOString() ?? null,
      error: result.error ?? null,
      fhir_id: result.fhirId ?? null,
      fhir_version: result.fhirVersion ?? null,
      fhir_status: result.fhirStatus ?? null,
      written_keys: result.writtenKeys ?? null,
    }));
    await this.dataSource.query(
      `UPDATE fhir_syncs f SET
         status = CASE WHEN f.generation = r.generation THEN r.status ELSE 'pending' END,
         next_attempt_at = CASE WHEN f.generation = r.generation
                                THEN COALESCE(r.next_attempt_at, f.next_attempt_at)
                                ELSE now() END,
         attempts = CASE WHEN f.generation = r.generation AND r.status = 'synced' THEN 0
                         ELSE f.attempts END,
         last_error = CASE WHEN r.status = 'synced' THEN NULL ELSE r.error END,
         fhir_id = COALESCE(r.fhir_id, f.fhir_id),
         fhir_version = COALESCE(r.fhir_version, f.fhir_version),
         fhir_status = COALESCE(r.fhir_status, f.fhir_status),
         written_keys = CASE WHEN r.written_keys IS NULL THEN f.written_keys
                             ELSE ARRAY(SELECT jsonb_array_elements_text(r.written_keys)) END,
         synced_at = CASE WHEN r.status = 'synced' THEN now() ELSE f.synced_at END,
         lease_until = NULL, enqueued_at = NULL, updated_at = now()
        FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, generation integer, status text,
               next_attempt_at timestamptz, error text, fhir_id text, fhir_version text,
               fhir_status text, written_keys jsonb)
       WHERE f.organisation_id = $1 AND f.id = r.id`,
      [organisationId, JSON.stringify(results)],
    );
  }
}
