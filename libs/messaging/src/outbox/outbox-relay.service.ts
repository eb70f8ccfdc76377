import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  batchesByKey,
  NotifiedPollLoop,
  SEALPOST_CONFIG,
  type SealpostConfig,
} from '@sealpost/core';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { MessageEventType, RecipientStatus } from '../messages/message-status';
import { DELIVERY_QUEUE, DELIVERY_TOPIC, OUTBOX_CHANNEL } from '../messaging.constants';
import { type DeliveryBatchJob, deliveryJobId, MAX_DELIVERIES_PER_JOB } from './delivery-job';

const BATCH_SIZE = 500;
// Without a NOTIFY (another process's commit, a missed wake-up) the relay still polls.
const POLL_INTERVAL_MS = 1000;
// A row enqueued this long ago and still here is offered to Bull again: after Redis lost its
// job, this restores it.
const REENQUEUE_AFTER_SECONDS = 30;
// ...but only while Bull holds few waiting jobs. A job of a deep backlog may simply still be
// waiting, and a row regrouped into a new batch gets a new job id, so offering it again would
// pile copies of the backlog onto itself (seen at 100,000 workflow emails) and keep new rows
// behind them. A lost job is restored once the backlog has drained below this.
const REOFFER_MAX_WAITING_JOBS = 2 * Math.ceil(BATCH_SIZE / MAX_DELIVERIES_PER_JOB);
// After a wake-up the relay waits this long so a burst of accepts moves as one batch: a
// transaction per message would cost more than the few milliseconds of latency.
const GATHER_MS = 25;

interface OutboxRow {
  id: string;
  organisation_id: string;
  ref_id: string;
}

/**
 * Moves due outbox rows into Bull. Rows stay in the outbox until delivery reaches an end, so
 * a crash between commit and enqueue, or a flushed Redis, loses nothing. Many relays may run:
 * SKIP LOCKED gives each its own rows.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop: NotifiedPollLoop;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryBatchJob>,
    @Inject(SEALPOST_CONFIG) config: SealpostConfig,
  ) {
    this.loop = new NotifiedPollLoop({
      databaseUrl: config.database.url,
      channel: OUTBOX_CHANNEL,
      name: 'outbox',
      batchSize: BATCH_SIZE,
      pollIntervalMs: POLL_INTERVAL_MS,
      gatherMs: GATHER_MS,
      logger: this.logger,
      runOnce: () => this.relayOnce(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Relays one batch; returns how many rows it handed to Bull. One statement takes the due
   * rows (SKIP LOCKED, so relays in several processes split the work), marks them enqueued,
   * and moves recipients still `accepted` to `queued` with their event; the jobs are added
   * after it commits, so a worker never waits on this relay's locks.
   */
  async relayOnce(): Promise<number> {
    const reoffer = (await this.queue.getWaitingCount()) <= REOFFER_MAX_WAITING_JOBS;
    const rows = await this.dataSource.query<OutboxRow[]>(
      `WITH due AS (
         SELECT id FROM outbox
          WHERE topic = $1 AND available_at <= now()
            AND (enqueued_at IS NULL
                 OR ($7 AND enqueued_at < now() - make_interval(secs => $2)))
          ORDER BY available_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED),
       taken AS (
         UPDATE outbox o SET enqueued_at = now() FROM due WHERE o.id = due.id
         RETURNING o.id, o.organisation_id, o.ref_id),
       candidates AS (
         -- A recipient a worker holds is already being delivered: skip it, never wait.
         SELECT r.id FROM message_recipients r JOIN taken t ON t.ref_id = r.id
          WHERE r.status = $4
          FOR UPDATE OF r SKIP LOCKED),
       queued AS (
         UPDATE message_recipients r SET status = $5, updated_at = now()
           FROM candidates c WHERE r.id = c.id
          RETURNING r.id, r.organisation_id, r.message_id),
       events AS (
         INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
         SELECT organisation_id, message_id, id, $6 FROM queued)
       SELECT id, organisation_id, ref_id FROM taken`,
      [
        DELIVERY_TOPIC,
        REENQUEUE_AFTER_SECONDS,
        BATCH_SIZE,
        RecipientStatus.Accepted,
        RecipientStatus.Queued,
        MessageEventType.Queued,
        reoffer,
      ],
    );
    if (!rows.length) {
      return 0;
    }
    try {
      await this.queue.addBulk(
        batchesOf(rows).map((batch) => ({
          name: 'deliver',
          data: batch,
          opts: {
            jobId: deliveryJobId(batch.items.map((item) => item.outboxId)),
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    } catch (error) {
      // Redis refused: offer the rows again on the next pass rather than after the
      // re-enqueue delay. If even this fails, that delay still brings them back.
      await this.dataSource
        .query(`UPDATE outbox SET enqueued_at = NULL WHERE id = ANY($1::bigint[])`, [
          rows.map((row) => row.id),
        ])
        .catch(() => undefined);
      throw error;
    }
    return rows.length;
  }
}

/** The relayed rows as jobs: each holds up to MAX_DELIVERIES_PER_JOB of one organisation. */
function batchesOf(rows: readonly OutboxRow[]): DeliveryBatchJob[] {
  return batchesByKey(rows, (row) => row.organisation_id, MAX_DELIVERIES_PER_JOB).map((batch) => ({
    v: 2,
    organisationId: batch[0].organisation_id,
    items: batch.map((row) => ({ outboxId: row.id, recipientId: row.ref_id })),
  }));
}
