import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SEALPOST_CONFIG, type SealpostConfig, safeErrorFields } from '@sealpost/core';
import { Clock } from '@sealpost/encryption';
import { Queue } from 'bull';
import { Client } from 'pg';
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
  private running = false;
  private listener?: Client;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<WebhookJob>,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
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

  private async run(): Promise<void> {
    while (this.running) {
      let dispatched = 0;
      try {
        dispatched = await this.dispatchOnce();
      } catch (error) {
        this.logger.warn({ err: safeErrorFields(error) }, 'webhook dispatch failed');
      }
      if (dispatched < BATCH_SIZE && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_INTERVAL_MS);
          this.wake = () => {
            clearTimeout(timer);
            this.wake = undefined;
            resolve();
          };
        });
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.database.url });
    client.on('notification', () => this.wake?.());
    // A lost listener only slows dispatch to the poll interval.
    client.on('error', (error) => {
      this.logger.warn({ err: safeErrorFields(error) }, 'webhook listener lost');
    });
    await client.connect();
    await client.query(`LISTEN ${WEBHOOK_CHANNEL}`);
    this.listener = client;
  }
}
