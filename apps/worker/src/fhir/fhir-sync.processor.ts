import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import {
  FHIR_SYNC_JOB,
  FHIR_SYNC_QUEUE,
  type FhirSyncJob,
  fhirSyncJobSchema,
  SyncCommunicationUseCase,
} from '@sealpost/fhir';
import { type Job, Queue } from 'bull';

// Batches at once; each writes FHIR_WRITES_PER_BATCH Communications at a time, so a worker
// has at most 8 requests out to EHRs: enough to keep a slow EHR from stalling the rest,
// few enough not to flood one.
const FHIR_SYNC_CONCURRENCY = 2;

/**
 * Runs FHIR syncs. Retries are not Bull's: the sync row in PostgreSQL holds the next attempt
 * time, and the dispatcher hands it over again when it is due.
 */
@Injectable()
export class FhirSyncProcessor implements OnModuleInit {
  private readonly logger = new Logger(FhirSyncProcessor.name);

  constructor(
    @InjectQueue(FHIR_SYNC_QUEUE) private readonly queue: Queue<FhirSyncJob>,
    private readonly sync: SyncCommunicationUseCase,
  ) {}

  onModuleInit(): void {
    void this.queue.process(FHIR_SYNC_JOB, FHIR_SYNC_CONCURRENCY, (job: Job) => this.handle(job));
  }

  private async handle(job: Job): Promise<void> {
    const parsed = fhirSyncJobSchema.safeParse(job.data);
    if (!parsed.success) {
      this.logger.error({ jobId: job.id }, 'fhir sync job rejected: invalid data');
      return;
    }
    try {
      await this.sync.execute(parsed.data);
    } catch (error) {
      // The lease runs out and the dispatcher hands the row over again.
      this.logger.error(
        {
          organisationId: parsed.data.organisationId,
          syncIds: parsed.data.syncIds,
          err: safeErrorFields(error),
        },
        'fhir sync crashed',
      );
    }
  }
}
