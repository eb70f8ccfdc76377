import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_TAG } from './received-message';

// The window the counts cover: a day shows whether mail flows now, not a history.
const RECENT_HOURS = 24;

/** How an organisation's mail reaches the gateway, and what became of it lately. */
export interface GatewayStatus {
  /** At least one way in (a live credential or a sender range) is configured. */
  configured: boolean;
  credentials: { active: number; lastUsedAt: string | null };
  senderRanges: number;
  /** Messages the gateway took for this organisation in the last 24 hours. */
  recent: {
    hours: number;
    messages: number;
    lastAcceptedAt: string | null;
    /** Their copies by where they stand: delivered, pending, bounced, failed. */
    copies: { delivered: number; pending: number; bounced: number; failed: number };
  };
}

interface StatusRow {
  active_credentials: string;
  last_used_at: Date | null;
  sender_ranges: string;
  messages: string;
  last_accepted_at: Date | null;
  delivered: string;
  pending: string;
  bounced: string;
  failed: string;
}

/** The gateway's side of the connector status: one statement, scoped to one organisation. */
@Injectable()
export class GatewayStatusService {
  constructor(private readonly dataSource: DataSource) {}

  async status(organisationId: string): Promise<GatewayStatus> {
    const [row] = await this.dataSource.query<StatusRow[]>(
      `WITH recent AS (
         SELECT id, created_at FROM messages
          WHERE organisation_id = $1 AND created_at > now() - make_interval(hours => $3)
            AND tags @> ARRAY[$2::text])
       SELECT
         (SELECT count(*) FROM gateway_credentials
           WHERE organisation_id = $1 AND revoked_at IS NULL) AS active_credentials,
         (SELECT max(last_used_at) FROM gateway_credentials
           WHERE organisation_id = $1 AND revoked_at IS NULL) AS last_used_at,
         (SELECT count(*) FROM gateway_sender_ranges WHERE organisation_id = $1)
           AS sender_ranges,
         (SELECT count(*) FROM recent) AS messages,
         (SELECT max(created_at) FROM recent) AS last_accepted_at,
         count(*) FILTER (WHERE r.status = 'delivered') AS delivered,
         count(*) FILTER (WHERE r.status IN ('accepted', 'queued', 'deferred')) AS pending,
         count(*) FILTER (WHERE r.status = 'bounced') AS bounced,
         count(*) FILTER (WHERE r.status = 'failed') AS failed
         FROM recent m
         LEFT JOIN message_recipients r
           ON r.message_id = m.id AND r.organisation_id = $1`,
      [organisationId, GATEWAY_TAG, RECENT_HOURS],
    );
    const credentials = Number(row.active_credentials);
    const senderRanges = Number(row.sender_ranges);
    return {
      configured: credentials + senderRanges > 0,
      credentials: { active: credentials, lastUsedAt: iso(row.last_used_at) },
      senderRanges,
      recent: {
        hours: RECENT_HOURS,
        messages: Number(row.messages),
        lastAcceptedAt: iso(row.last_accepted_at),
        copies: {
          delivered: Number(row.delivered),
          pending: Number(row.pending),
          bounced: Number(row.bounced),
          failed: Number(row.failed),
        },
      },
    };
  }
}

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}
