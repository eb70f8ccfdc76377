import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Clock, SEALPOST_CONFIG, type SealpostConfig, safeErrorFields } from '@sealpost/core';
import { Queue } from 'bull';
import { Client } from 'pg';
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
  private running = false;
  private listener?: Client;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(FHIR_SYNC_QUEUE) private readonly queue: Queue<FhirSyncJob>,
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
      batchesOf(rows).map((batch) => ({
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

  private async run(): Promise<void> {
    while (this.running) {
      let dispatched = 0;
      try {
        dispatched = await this.dispatchOnce();
      } catch (error) {
        this.logger.warn({ err: safeErrorFields(error) }, 'fhir sync dispatch failed');
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
      this.logger.warn({ err: safeErrorFields(error) }, 'fhir sync listener lost');
    });
    await client.connect();
    await client.query(`LISTEN ${FHIR_SYNC_CHANNEL}`);
    this.listener = client;
  }
}

/** Rows of one organisation together, at most FHIR_SYNC_BATCH to a batch. */
function batchesOf(rows: DueRow[]): DueRow[][] {
  const byOrganisation = new Map<string, DueRow[]>();
  for (const row of rows) {
    const rowsOf = byOrganisation.get(row.organisation_id) ?? [];
    rowsOf.push(row);
    byOrganisation.set(row.organisation_id, rowsOf);
  }
  const batches: DueRow[][] = [];
  for (const rowsOf of byOrganisation.values()) {
    for (let start = 0; start < rowsOf.length; start += FHIR_SYNC_BATCH) {
      batches.push(rowsOf.slice(start, start + FHIR_SYNC_BATCH));
    }
  }
  return batches;
}
