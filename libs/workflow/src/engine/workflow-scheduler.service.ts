import { InjectQueue } from '@nestjs/bull';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { batchesByKey, safeErrorFields } from '@sealpost/core';
import { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { Clock } from '../scheduling/clock';
import { WORKFLOW_JOB, WORKFLOW_QUEUE } from './engine.constants';
import { TriggerSweeper } from './trigger-sweeper';
import {
  MAX_ENROLLMENTS_PER_JOB,
  type QueuedWorkflowJob,
  type WorkflowBatchJob,
  workflowJobId,
} from './workflow-job';

const BATCH_SIZE = 500;
// Claims run no further ahead of the workers than this many queued jobs: every claim scans
// the due rows already handed over and not yet run, so a queue holding the whole backlog
// would make each pass cost as much as the backlog.
const MAX_WAITING_JOBS = 64;
// Due times are minutes or days apart; a second of latency is invisible to a contact.
const POLL_INTERVAL_MS = 1000;
// A row handed to Bull this long ago and still due is handed over again: its job was lost
// (Redis flushed, worker killed). The job id is per revision, so a live job is not doubled.
const REENQUEUE_AFTER_MS = 30_000;
// List joins and date milestones are found by scanning; minutes of latency suit both, and
// the scans stay off the hot path of due work.
const SWEEP_INTERVAL_MS = 30_000;

interface DueRow {
  id: string;
  organisation_id: string;
  revision: number;
}

/**
 * Moves due enrollments from PostgreSQL into Bull. PostgreSQL holds every due time, so a
 * flushed Redis or a killed worker loses nothing: the next pass finds the rows again. Many
 * schedulers may run: SKIP LOCKED gives each its own rows. Paused workflows' rows wait.
 */
@Injectable()
export class WorkflowScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkflowScheduler.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastSweep = 0;

  constructor(
    private readonly dataSource: DataSource,
    @InjectQueue(WORKFLOW_QUEUE) private readonly queue: Queue<QueuedWorkflowJob>,
    private readonly clock: Clock,
    private readonly sweeper: TriggerSweeper,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /**
   * Hands one batch of due enrollments to Bull, as jobs of up to MAX_ENROLLMENTS_PER_JOB
   * enrollments of one organisation; returns how many enrollments (none while the workers
   * have enough waiting). Higher priority first.
   */
  async dispatchOnce(): Promise<number> {
    if ((await this.queue.getWaitingCount()) >= MAX_WAITING_JOBS) {
      return 0;
    }
    const now = this.clock.now();
    const rows = await this.dataSource.query<DueRow[]>(
      `WITH due AS (
         SELECT e.id FROM workflow_enrollments e
           JOIN workflows w ON w.id = e.workflow_id AND w.organisation_id = e.organisation_id
          WHERE e.state IN ('active', 'waiting') AND e.due_at <= $1 AND w.status = 'active'
            AND (e.enqueued_at IS NULL OR e.enqueued_at < $2)
          ORDER BY w.priority DESC, e.due_at
          LIMIT $3
          FOR UPDATE OF e SKIP LOCKED),
       taken AS (
         UPDATE workflow_enrollments e SET enqueued_at = $1 FROM due WHERE e.id = due.id
         RETURNING e.id, e.organisation_id, e.revision)
       -- A bare UPDATE would come back from TypeORM as [rows, count].
       SELECT id, organisation_id, revision FROM taken`,
      [now, new Date(now.getTime() - REENQUEUE_AFTER_MS), BATCH_SIZE],
    );
    if (!rows.length) {
      return 0;
    }
    try {
      await this.queue.addBulk(
        batchesOf(rows).map((job) => ({
          name: WORKFLOW_JOB,
          data: job,
          opts: { jobId: workflowJobId(job), removeOnComplete: true, removeOnFail: true },
        })),
      );
    } catch (error) {
      // Redis refused: offer the rows on the next pass rather than after the lease.
      await this.dataSource
        .query(`UPDATE workflow_enrollments SET enqueued_at = NULL WHERE id = ANY($1::uuid[])`, [
          rows.map((row) => row.id),
        ])
        .catch(() => undefined);
      throw error;
    }
    return rows.length;
  }

  private async sweepWhenDue(): Promise<void> {
    if (Date.now() - this.lastSweep < SWEEP_INTERVAL_MS) {
      return;
    }
    this.lastSweep = Date.now();
    await this.sweeper.sweepOnce();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let dispatched = 0;
      try {
        await this.sweepWhenDue();
        dispatched = await this.dispatchOnce();
      } catch (error) {
        this.logger.warn({ err: safeErrorFields(error) }, 'workflow dispatch failed');
      }
      if (dispatched < BATCH_SIZE && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_INTERVAL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}

/** The claimed rows as batch jobs: per organisation, in claim order, at most a job's worth. */
function batchesOf(rows: DueRow[]): WorkflowBatchJob[] {
  return batchesByKey(rows, (row) => row.organisation_id, MAX_ENROLLMENTS_PER_JOB).map((batch) => ({
    v: 2,
    organisationId: batch[0].organisation_id,
    items: batch.map((row) => ({ enrollmentId: row.id, revision: row.revision })),
  }));
}
