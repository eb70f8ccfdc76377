import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What an admin (or an aggregate /v1/connectors view) needs to know about the connector. */
export interface M365Status {
  connector: 'microsoft365';
  configured: boolean;
  enabled: boolean;
  /** ok: the last token request succeeded; failing: it did not; unknown: none yet. */
  health: 'ok' | 'failing' | 'unknown';
  lastTokenAt: string | null;
  lastSyncAt: string | null;
  counts: { users: number; groups: number; activeSubscriptions: number };
  /** A code-and-status line (e.g. `directory sync: Graph answered 403`), never content. */
  lastError: string | null;
  lastErrorAt: string | null;
  nextRenewalAt: string | null;
}

interface StatusRow {
  enabled: boolean;
  last_token_ok: boolean | null;
  last_token_at: Date | null;
  last_sync_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  users: number;
  groups: number;
  subscriptions: number;
  next_renewal: Date | null;
}

// Subscriptions are renewed when less than a day is left (see SentItemsSubscriptions).
const RENEW_BEFORE_MS = 24 * 3600 * 1000;

@Injectable()
export class M365StatusService {
  constructor(private readonly dataSource: DataSource) {}

  async status(organisationId: string): Promise<M365Status> {
    const [row] = await this.dataSource.query<StatusRow[]>(
      `SELECT c.enabled, c.last_token_ok, c.last_token_at, c.last_sync_at, c.last_error,
              c.last_error_at,
              (SELECT count(*)::int FROM m365_users u WHERE u.organisation_id = $1) AS users,
              (SELECT count(*)::int FROM m365_groups g WHERE g.organisation_id = $1) AS groups,
              (SELECT count(*)::int FROM m365_subscriptions s
                WHERE s.organisation_id = $1 AND s.expires_at > now()) AS subscriptions,
              (SELECT min(s.expires_at) FROM m365_subscriptions s
                WHERE s.organisation_id = $1 AND s.expires_at > now()) AS next_renewal
         FROM m365_connections c WHERE c.organisation_id = $1`,
      [organisationId],
    );
    if (!row) {
      return {
        connector: 'microsoft365',
        configured: false,
        enabled: false,
        health: 'unknown',
        lastTokenAt: null,
        lastSyncAt: null,
        counts: { users: 0, groups: 0, activeSubscriptions: 0 },
        lastError: null,
        lastErrorAt: null,
        nextRenewalAt: null,
      };
    }
    return {
      connector: 'microsoft365',
      configured: true,
      enabled: row.enabled,
      health: row.last_token_ok === null ? 'unknown' : row.last_token_ok ? 'ok' : 'failing',
      lastTokenAt: row.last_token_at?.toISOString() ?? null,
      lastSyncAt: row.last_sync_at?.toISOString() ?? null,
      counts: { users: row.users, groups: row.groups, activeSubscriptions: row.subscriptions },
      lastError: row.last_error,
      lastErrorAt: row.last_error_at?.toISOString() ?? null,
      nextRenewalAt: row.next_renewal
        ? new Date(row.next_renewal.getTime() - RENEW_BEFORE_MS).toISOString()
        : null,
    };
  }
}
