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
  Clock,
  NotifiedPollLoop,
  SEALPOST_CONFIG,
  type SealpostConfig,
} from '@sealpost/core';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import {
  FHIR_SYNC_BATCH,
  FHIR_SYNC_CHANNEL,
  FHIR_SYNC_JOB,
  FHIR_SYNC_QUEUE,
  type FhirSyncJob,
} from './fhir-sync-job';

const BATCH_SIZE = 500;
// Retries fall due at times no NOTIFY announces, so the dispatcher also polls.
const POLL_INTERVAL_MS = 1000;
// A row handed to Bull this long ago and still pending is handed over again (Redis lost the
// job); the job id names the attempt, so Bull ignores a copy it still holds.
const REENQUEUE_AFTER_MS = 5 * 60 * 1000;

interface DueRow {
  id: string;
  organisation_id: string;
  attempts: number;
  generation: number;
}

/**
 * Moves due FHIR sync rows from PostgreSQL into Bull: woken by the fan-out trigger's NOTIFY,
 * polling for retries. SKIP LOCKED lets several workers run one each.
 */
@Injectable()
export class FhirSyncDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FhirSyncDispatcher.name);
  private readonly loop: NotifiedPollLoop;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(FHIR_SYNC_QUEUE) private readonly queue: Queue<FhirSyncJob>,
    @Inject(SEALPOST_CONFIG) config: SealpostConfig,
    private readonly clock: Clock,
  ) {
    this.loop = new NotifiedPollLoop({
      databaseUrl: config.database.url,
      channel: FHIR_SYNC_CHANNEL,
      name: 'fhir-sync',
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

  /** Hands one batch of due rows to Bull; returns how many. */
  async dispatchOnce(): Promise<number> {
    const now = this.clock.now();
    const [rows] = await this.dataSource.query<[DueRow[], number]>(
      `WITH due AS (
         SELECT id FROM fhir_syncs
          WHERE status = 'pending' AND next_attempt_at <= $1
            AND (enqueued_at IS NULL OR enqueued_at < $2)
          ORDER BY next_attempt_at
          LIMIT $3
          FOR UPDATE SKIP LOCKED)
       UPDATE fhir_syncs s SET enqueued_at = $1 FROM due WHERE s.id = due.id
       RETURNING s.id::text AS id, s.organisation_id, s.attempts, s.generation`,
      [now, new Date(now.getTime() - REENQUEUE_AFTER_MS), BATCH_SIZE],
    );
    if (!rows.length) {
      return 0;
    }
    await this.queue.addBulk(
      batchesByKey(rows, (row) => row.organisation_id, FHIR_SYNC_BATCH).map((batch) => ({
        name: FHIR_SYNC_JOB,
        data: {
          v: 1 as const,
          organisationId: batch[0].organisation_id,
          syncIds: batch.map((row) => row.id),
        },
        opts: {
          // A copy Bull still holds is ignored; one it lost is harmless (claims are leases).
          jobId: `fhir-${batch[0].id}-${batch[0].generation}-${batch[0].attempts}`,
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
    return rows.length;
  }
}
