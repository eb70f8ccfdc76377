import { Injectable } from '@nestjs/common';
import { Clock } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import { nextRenewal } from '../gmail/mailbox';
import {
  type ConnectorHealth,
  type ConnectorSummary,
  type GoogleWorkspaceStatus,
} from './google-workspace-status';

interface Counts {
  users: number;
  groups: number;
  group_members: number;
  mailboxes: number;
  watched: number;
  with_errors: number;
  bypassed: number;
  undecided: number;
  oldest_renewal: Date | null;
  unwatched: number;
  last_history_sync: Date | null;
}

/** The connector's health, counts and last error for one organisation. */
@Injectable()
export class GoogleWorkspaceStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: GoogleConnectionsService,
    private readonly clock: Clock,
  ) {}

  async status(organisationId: string): Promise<GoogleWorkspaceStatus> {
    const row = await this.connections.find(organisationId);
    const now = this.clock.now();
    const [counts] = await this.dataSource.query<Counts[]>(
      `SELECT
         (SELECT count(*)::int FROM google_directory_users WHERE organisation_id = $1) AS users,
         (SELECT count(*)::int FROM google_directory_groups WHERE organisation_id = $1) AS groups,
         (SELECT count(*)::int FROM google_group_members WHERE organisation_id = $1)
           AS group_members,
         count(m.id)::int AS mailboxes,
         (count(m.id) FILTER (WHERE m.watch_expires_at > $2))::int AS watched,
         (count(m.id) FILTER (WHERE m.last_error IS NOT NULL))::int AS with_errors,
         (count(m.id) FILTER (WHERE m.watch_renewed_at IS NULL))::int AS unwatched,
         min(m.watch_renewed_at) AS oldest_renewal,
         max(m.history_synced_at) AS last_history_sync,
         (SELECT count(*)::int FROM google_sent_checks
           WHERE organisation_id = $1 AND NOT through_gateway
             AND checked_at > $2::timestamptz - interval '7 days') AS bypassed,
         (SELECT count(*)::int FROM google_sent_checks
           WHERE organisation_id = $1 AND through_gateway IS NULL) AS undecided
       FROM google_mailboxes m WHERE m.organisation_id = $1`,
      [organisationId, now],
    );
    const health = healthOf(row, counts);
    const watching = Boolean(row?.enabled && row.pubsub_topic && counts.mailboxes);
    let nextWatchRenewalAt: string | null = null;
    if (watching) {
      const due =
        counts.unwatched || !counts.oldest_renewal ? now : nextRenewal(counts.oldest_renewal);
      nextWatchRenewalAt = (due < now ? now : due).toISOString();
    }
    return {
      connector: 'google-workspace',
      health,
      connectionId: row?.id ?? null,
      lastDirectorySyncAt: row?.directory_synced_at?.toISOString() ?? null,
      lastError: row?.last_error
        ? { summary: row.last_error, at: row.last_error_at?.toISOString() ?? null }
        : null,
      counts: {
        users: counts.users,
        groups: counts.groups,
        groupMembers: counts.group_members,
        mailboxes: counts.mailboxes,
        watchedMailboxes: counts.watched,
        mailboxesWithErrors: counts.with_errors,
        bypassedLast7Days: counts.bypassed,
        undecidedSentMessages: counts.undecided,
      },
      lastHistorySyncAt: counts.last_history_sync?.toISOString() ?? null,
      nextWatchRenewalAt,
    };
  }

  /** For an aggregate view of every connector of the organisation. */
  async summary(organisationId: string): Promise<ConnectorSummary> {
    const status = await this.status(organisationId);
    return {
      connector: 'google-workspace',
      health: status.health,
      lastSyncAt: status.lastDirectorySyncAt,
      lastError: status.lastError?.summary ?? null,
    };
  }
}

function healthOf(
  row: Awaited<ReturnType<GoogleConnectionsService['find']>>,
  counts: Counts,
): ConnectorHealth {
  if (!row) {
    return 'not_configured';
  }
  if (!row.enabled) {
    return 'disabled';
  }
  const failedLast =
    row.last_error !== null &&
    (!row.directory_synced_at || (row.last_error_at ?? new Date(0)) >= row.directory_synced_at);
  if (failedLast) {
    return 'failing';
  }
  const lapsed = row.pubsub_topic !== null && counts.watched < counts.mailboxes;
  return counts.with_errors > 0 || lapsed ? 'degraded' : 'ok';
}
