import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NotifiedPollLoop, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { WEBHOOK_CHANNEL, WEBHOOK_JOB, WEBHOOK_QUEUE, type WebhookJob } from './webhook-job';

const BATCH_SIZE = 200;
// Retries are due at times no NOTIFY announces, so the dispatcher also polls.
const POLL_INTERVAL_MS = 1000;
// A delivery handed to Bull this long ago and still not attempted is handed over again (Redis
// lost it); the job id is stable per attempt, so Bull ignores a copy it still holds.
const REENQUEUE_AFTER_MS = 5 * 60 * 1000;

interface DueRow {
  id: string;
  organisation_id: string;
  attempts: number;
}

/**
 * Moves due webhook deliveries from PostgreSQL into Bull. Woken by the fan-out trigger's
 * NOTIFY, and polling for retries; SKIP LOCKED lets several workers run one each.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly loop: NotifiedPollLoop;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    @Inject(SEALPOST_CONFIG) config: SealpostConfig,
    private readonly clock: Clock,
  ) {
    this.loop = new NotifiedPollLoop({
      databaseUrl: config.database.url,
      channel: WEBHOOK_CHANNEL,
      name: 'webhook',
      batchSize: BATCH_SIZE,
      pollIntervalMs: POLL_INTERVAL_MS,
      logger: this.logger,
      runOnce: () => this.dispatchOnce(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Hands one batch of due deliveries to Bull; returns how many. */
  async dispatchOnce(): Promise<number> {
    const now = this.clock.now();
    // An UPDATE answers [rows, count] through TypeORM's pg driver.
    const [rows] = await this.dataSource.query<[DueRow[], number]>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= $1
            AND (enqueued_at IS NULL OR enqueued_at < $2)
          ORDER BY next_attempt_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d SET enqueued_at = $1 FROM due WHERE d.id = due.id
       RETURNING d.id, d.organisation_id, d.attempts`,
      [now, new Date(now.getTime() - REENQUEUE_AFTER_MS), BATCH_SIZE],
    );
    if (!rows.length) {
      return 0;
    }
    await this.queue.addBulk(
      rows.map((row) => ({
        name: WEBHOOK_JOB,
        data: { v: 1 as const, organisationId: row.organisation_id, deliveryId: row.id },
        opts: {
          jobId: `webhook-${row.id}-${row.attempts}`,
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
    return rows.length;
  }
}
