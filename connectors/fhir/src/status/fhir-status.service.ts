import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One EHR connection as the connector status shows it. */
export interface FhirConnectionStatus {
  id: string;
  name: string;
  enabled: boolean;
  /** ok: nothing failed since the last sync; failing: the newest sync failed; unknown: none. */
  health: 'ok' | 'failing' | 'unknown';
  /** When test connection last read the server's /metadata. */
  capabilitiesCheckedAt: string | null;
  syncs: { pending: number; failed: number };
  lastSyncedAt: string | null;
  /** The newest failure's code and HTTP status (`auth_refused:401`), never content. */
  lastError: string | null;
  appointments: {
    polling: boolean;
    lastPolledAt: string | null;
    lastPollError: string | null;
    lastNotificationAt: string | null;
  } | null;
}

export interface FhirStatus {
  connector: 'fhir';
  configured: boolean;
  connections: FhirConnectionStatus[];
}

interface StatusRow {
  id: string;
  name: string;
  enabled: boolean;
  capabilities_checked_at: Date | null;
  pending: number;
  failed: number;
  last_synced_at: Date | null;
  last_failed_at: Date | null;
  last_error: string | null;
  polling: boolean | null;
  last_polled_at: Date | null;
  last_poll_error: string | null;
  last_notification_at: Date | null;
}

/**
 * The FHIR side of the connector status: per connection, what waits, what failed, when the
 * EHR last took a write, and how its appointment trigger fares. Scoped to one organisation.
 */
@Injectable()
export class FhirStatusService {
  constructor(private readonly dataSource: DataSource) {}

  async status(organisationId: string): Promise<FhirStatus> {
    const rows = await this.dataSource.query<StatusRow[]>(
      `SELECT c.id, c.name, c.enabled, c.capabilities_checked_at,
              s.pending, s.failed, s.last_synced_at, f.updated_at AS last_failed_at,
              f.last_error, t.polling, t.last_polled_at, t.last_poll_error,
              t.last_notification_at
         FROM fhir_connections c
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                  count(*) FILTER (WHERE status = 'failed')::int AS failed,
                  max(synced_at) AS last_synced_at
             FROM fhir_syncs WHERE connection_id = c.id AND organisation_id = $1) s
         LEFT JOIN LATERAL (
           SELECT updated_at, last_error FROM fhir_syncs
            WHERE connection_id = c.id AND organisation_id = $1 AND status = 'failed'
            ORDER BY updated_at DESC LIMIT 1) f ON true
         LEFT JOIN fhir_appointment_triggers t
           ON t.connection_id = c.id AND t.organisation_id = $1
        WHERE c.organisation_id = $1
        ORDER BY c.created_at`,
      [organisationId],
    );
    return {
      connector: 'fhir',
      configured: rows.length > 0,
      connections: rows.map((row) => ({
        id: row.id,
        name: row.name,
        enabled: row.enabled,
        health: healthOf(row),
        capabilitiesCheckedAt: iso(row.capabilities_checked_at),
        syncs: { pending: row.pending, failed: row.failed },
        lastSyncedAt: iso(row.last_synced_at),
        lastError: row.last_error,
        appointments:
          row.polling === null
            ? null
            : {
                polling: row.polling,
                lastPolledAt: iso(row.last_polled_at),
                lastPollError: row.last_poll_error,
                lastNotificationAt: iso(row.last_notification_at),
              },
      })),
    };
  }
}

function healthOf(row: StatusRow): FhirConnectionStatus['health'] {
  if (row.last_failed_at && (!row.last_synced_at || row.last_failed_at > row.last_synced_at)) {
    return 'failing';
  }
  return row.last_synced_at ? 'ok' : 'unknown';
}

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}
