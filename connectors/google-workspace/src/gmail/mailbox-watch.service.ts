import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { type GoogleConnection } from '../connections/google-connection';
import { GoogleConnectionsService } from '../connections/google-connections.service';
import { googleFailureOf, isGoogleCallError } from '../google-workspace-error';
import { GoogleClientsFactory } from '../google/google-clients.factory';
import { withGoogleRetry } from '../google/google-retry';
import { type MailboxRow, WATCH_RENEW_AFTER_MS } from './mailbox';
import { runBounded } from './run-bounded';

// Watch calls in flight per connection: each is one small POST; four keep a large domain's
// daily renewal short without tripping Gmail's per-project rate.
const WATCHES_IN_FLIGHT = 4;

export interface WatchRenewal {
  renewed: number;
  failed: number;
}

/**
 * Keeps a Gmail watch on every mailbox's SENT label, publishing to the connection's Pub/Sub
 * topic. A watch lasts 7 days; each is renewed about daily. The first watch's historyId is
 * where reading the mailbox's history starts.
 */
@Injectable()
export class MailboxWatchService {
  private readonly logger = new Logger(MailboxWatchService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: GoogleConnectionsService,
    private readonly clients: GoogleClientsFactory,
    private readonly clock: Clock,
  ) {}

  /** Renews the watches that are due (or every watch with `all`). */
  async renewDue(organisationId: string, options: { all?: boolean } = {}): Promise<WatchRenewal> {
    const connection = await this.connections.open(organisationId);
    if (!connection.enabled || !connection.pubsubTopic) {
      return { renewed: 0, failed: 0 };
    }
    const dueBefore = options.all
      ? this.clock.now()
      : new Date(this.clock.now().getTime() - WATCH_RENEW_AFTER_MS);
    const mailboxes = await this.dataSource.query<MailboxRow[]>(
      `SELECT * FROM google_mailboxes
        WHERE organisation_id = $1 AND connection_id = $2
          AND (watch_renewed_at IS NULL OR watch_renewed_at <= $3)
        ORDER BY watch_renewed_at NULLS FIRST`,
      [organisationId, connection.id, dueBefore],
    );
    const result: WatchRenewal = { renewed: 0, failed: 0 };
    await runBounded(mailboxes, WATCHES_IN_FLIGHT, async (mailbox) => {
      const ok = await this.watch(connection, mailbox);
      result[ok ? 'renewed' : 'failed'] += 1;
    });
    if (mailboxes.length) {
      this.logger.log(
        { organisationId, connectionId: connection.id, ...result },
        'gmail watches renewed',
      );
    }
    return result;
  }

  private async watch(connection: GoogleConnection, mailbox: MailboxRow): Promise<boolean> {
    const gmail = this.clients.gmail(connection, mailbox.address);
    try {
      const { data } = await withGoogleRetry(() =>
        gmail.users.watch(
          {
            userId: 'me',
            requestBody: {
              topicName: connection.pubsubTopic,
              labelIds: ['SENT'],
              labelFilterBehavior: 'include',
            },
          },
          { retry: false },
        ),
      );
      // First watch: reading history starts here; later ones keep the position reached.
      await this.dataSource.query(
        `UPDATE google_mailboxes SET
           history_id = COALESCE(history_id, $3::numeric),
           watch_expires_at = to_timestamp($4::bigint / 1000.0), watch_renewed_at = $5,
           last_error = NULL
         WHERE organisation_id = $1 AND id = $2`,
        [mailbox.organisation_id, mailbox.id, data.historyId, data.expiration, this.clock.now()],
      );
      return true;
    } catch (error) {
      if (!isGoogleCallError(error)) {
        throw error;
      }
      const failure = googleFailureOf(error, this.clients.tokenUrl);
      await this.dataSource.query(
        `UPDATE google_mailboxes SET last_error = $3, last_error_at = $4
          WHERE organisation_id = $1 AND id = $2`,
        [mailbox.organisation_id, mailbox.id, `watch: ${failure.summary}`, this.clock.now()],
      );
      this.logger.warn(
        {
          organisationId: mailbox.organisation_id,
          mailboxId: mailbox.id,
          failure: failure.summary,
        },
        'gmail watch failed',
      );
      return false;
    }
  }
}
