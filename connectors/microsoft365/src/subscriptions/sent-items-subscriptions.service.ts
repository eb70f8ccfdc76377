import { type Client } from '@microsoft/microsoft-graph-client';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, SEALPOST_CONFIG, safeErrorFields, type SealpostConfig } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { type M365Connection } from '../connections/m365-connection';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { GraphClientFactory } from '../graph/graph-client.factory';
import { m365FailureOf, M365Failure } from '../m365-connector-error';

// Graph keeps a subscription to Outlook messages at most 10,080 minutes (seven days); asking
// for ten minutes less leaves room for clock skew between us and Graph.
const LIFETIME_MINUTES = 10_070;
// Renewed once less than a day is left: the hourly job then has 24 chances before it lapses.
const RENEW_WITHIN_MS = 24 * 3600 * 1000;
// Subscriptions created per run; a big tenant is covered over a few runs instead of one burst
// that Graph would throttle.
const CREATE_PER_RUN = 200;

export const NOTIFICATION_PATH = '/connectors/microsoft365/notifications';
export const LIFECYCLE_PATH = '/connectors/microsoft365/lifecycle';

export const sentItemsResource = (userId: string) =>
  `users/${userId}/mailFolders('SentItems')/messages`;

interface GraphSubscription {
  id: string;
  expirationDateTime: string;
}

export interface SubscriptionRow {
  id: string;
  organisation_id: string;
  user_id: string;
  expires_at: Date;
}

/**
 * Change-notification subscriptions on each user's Sent Items (changeType created), so mail
 * that left without the gateway can be audited. Graph validates both URLs while creating.
 */
@Injectable()
export class SentItemsSubscriptions {
  private readonly logger = new Logger(SentItemsSubscriptions.name);

  constructor(
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly dataSource: DataSource,
    private readonly connections: M365ConnectionsService,
    private readonly clients: GraphClientFactory,
    private readonly clock: Clock,
  ) {}

  /** Subscribes every enabled user with a mailbox who has no subscription yet. */
  async ensure(organisationId: string): Promise<{ created: number; failed: number }> {
    const connection = await this.connections.open(organisationId);
    if (!connection?.enabled || !connection.watchSentItems) {
      return { created: 0, failed: 0 };
    }
    const users = await this.dataSource.query<{ id: string }[]>(
      `SELECT u.id FROM m365_users u
        WHERE u.organisation_id = $1 AND u.account_enabled AND u.mail IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM m365_subscriptions s
                           WHERE s.organisation_id = u.organisation_id AND s.user_id = u.id)
        ORDER BY u.id LIMIT $2`,
      [organisationId, CREATE_PER_RUN],
    );
    const client = await this.clients.forConnection(connection);
    let created = 0;
    let failed = 0;
    for (const user of users) {
      try {
        await this.create(client, connection, user.id);
        created++;
      } catch (error) {
        failed++;
        const failure = m365FailureOf(error);
        await this.connections.recordError(organisationId, `subscription: ${failure.message}`);
        this.logger.warn(
          { organisationId, userId: user.id, failure: failure.failure },
          'm365 subscription not created',
        );
      }
    }
    return { created, failed };
  }

  /** Renews every subscription that expires within a day, of every organisation. */
  async renewDue(): Promise<number> {
    const due = await this.dataSource.query<SubscriptionRow[]>(
      `SELECT id, organisation_id, user_id, expires_at FROM m365_subscriptions
        WHERE expires_at < $1 ORDER BY expires_at LIMIT 1000`,
      [new Date(this.clock.now().getTime() + RENEW_WITHIN_MS)],
    );
    let renewed = 0;
    for (const row of due) {
      try {
        await this.renew(row.organisation_id, row.id);
        renewed++;
      } catch (error) {
        this.logger.warn(
          {
            organisationId: row.organisation_id,
            subscriptionId: row.id,
            err: safeErrorFields(error),
          },
          'm365 subscription not renewed',
        );
      }
    }
    return renewed;
  }

  /** PATCH expirationDateTime; a subscription Graph no longer has is created again. */
  async renew(organisationId: string, subscriptionId: string): Promise<void> {
    const { connection } = await this.subscription(organisationId, subscriptionId);
    const client = await this.clients.forConnection(connection);
    try {
      const renewed = (await client
        .api(`/subscriptions/${encodeURIComponent(subscriptionId)}`)
        .patch({ expirationDateTime: this.expiry() })) as GraphSubscription;
      await this.dataSource.query(
        `UPDATE m365_subscriptions SET expires_at = $3, renewed_at = clock_timestamp()
          WHERE organisation_id = $1 AND id = $2`,
        [organisationId, subscriptionId, new Date(renewed.expirationDateTime)],
      );
    } catch (error) {
      const failure = m365FailureOf(error);
      if (failure.failure === M365Failure.Rejected && failure.httpStatus === 404) {
        await this.recreate(organisationId, subscriptionId);
        return;
      }
      await this.connections.recordError(organisationId, `renewal: ${failure.message}`);
      throw failure;
    }
  }

  /** After `subscriptionRemoved` (or a renewal of a vanished one): a new subscription. */
  async recreate(organisationId: string, subscriptionId: string): Promise<void> {
    const { connection, row } = await this.subscription(organisationId, subscriptionId);
    await this.dataSource.query(
      `DELETE FROM m365_subscriptions WHERE organisation_id = $1 AND id = $2`,
      [organisationId, subscriptionId],
    );
    await this.create(await this.clients.forConnection(connection), connection, row.user_id);
  }

  async userOf(organisationId: string, subscriptionId: string): Promise<string | null> {
    const [row] = await this.dataSource.query<SubscriptionRow[]>(
      `SELECT user_id FROM m365_subscriptions WHERE organisation_id = $1 AND id = $2`,
      [organisationId, subscriptionId],
    );
    return row?.user_id ?? null;
  }

  private async create(client: Client, connection: M365Connection, userId: string): Promise<void> {
    const base = this.config.portal.publicUrl;
    const created = (await client.api('/subscriptions').post({
      changeType: 'created',
      notificationUrl: `${base}${NOTIFICATION_PATH}`,
      lifecycleNotificationUrl: `${base}${LIFECYCLE_PATH}`,
      resource: sentItemsResource(userId),
      expirationDateTime: this.expiry(),
      clientState: connection.clientState,
    })) as GraphSubscription;
    await this.dataSource.query(
      `INSERT INTO m365_subscriptions (id, organisation_id, user_id, resource, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organisation_id, user_id) DO UPDATE SET id = EXCLUDED.id,
         expires_at = EXCLUDED.expires_at, created_at = clock_timestamp(), renewed_at = NULL`,
      [
        created.id,
        connection.organisationId,
        userId,
        sentItemsResource(userId),
        new Date(created.expirationDateTime),
      ],
    );
  }

  private async subscription(
    organisationId: string,
    subscriptionId: string,
  ): Promise<{ connection: M365Connection; row: SubscriptionRow }> {
    const [row] = await this.dataSource.query<SubscriptionRow[]>(
      `SELECT id, organisation_id, user_id, expires_at FROM m365_subscriptions
        WHERE organisation_id = $1 AND id = $2`,
      [organisationId, subscriptionId],
    );
    const connection = await this.connections.open(organisationId);
    if (!row || !connection?.enabled) {
      throw new Error('no such subscription or connection');
    }
    return { connection, row };
  }

  private expiry(): string {
    return new Date(this.clock.now().getTime() + LIFETIME_MINUTES * 60_000).toISOString();
  }
}
