import { Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock, ErrorCode, SealpostError } from '@sealpost/core';
import { FhirClientFactory } from '../connections/fhir-client.factory';
import { type FhirConnection } from '../connections/fhir-connection';
import { FhirConnectionsService } from '../connections/fhir-connections.service';
import { FhirConnectorError, FhirFailure, fhirFailureOf } from '../fhir-connector-error';
import {
  communicationOf,
  milestoneCommunicationsOf,
  replyCommunicationOf,
} from '../mapping/communication-mapper';
import { communicationStateOf, statusRank } from '../mapping/communication-state';
import { ChartInputBuilder, type ChartInput } from './chart-input.builder';
import { CommunicationWriter, type WrittenVersion } from './communication-writer';
import { FHIR_MAX_ATTEMPTS, FHIR_RETRY_DELAYS_SECONDS, type FhirSyncJob } from './fhir-sync-job';
import {
  type ClaimedSync,
  type FinishedSync,
  FhirSyncStore,
  type SyncResult,
} from './fhir-sync.store';

const CONNECTION_CACHE_MS = 5_000;
const CONNECTION_CACHE_ENTRIES = 1_000;
// Writes of one batch in flight at once: with the processor's batches in parallel, what one
// worker asks of an EHR at a time (FhirSyncProcessor).
export const FHIR_WRITES_PER_BATCH = 4;

export type SyncOutcome = 'synced' | 'skipped' | 'retrying' | 'failed' | 'not-due';

/**
 * Charts a batch of message recipients, each in its EHR: claims the due sync rows (reading
 * their recipients in the same statement), derives each Communication from every event so
 * far, writes it idempotently, and records every result (or next attempt) in one statement.
 * Safe to run twice for the same rows: the claim is a lease, writes are conditional.
 */
@Injectable()
export class SyncCommunicationUseCase {
  private readonly logger = new Logger(SyncCommunicationUseCase.name);
  private readonly kept = new LRUCache<string, FhirConnection>({
    max: CONNECTION_CACHE_ENTRIES,
    ttl: CONNECTION_CACHE_MS,
  });

  constructor(
    private readonly store: FhirSyncStore,
    private readonly connections: FhirConnectionsService,
    private readonly inputs: ChartInputBuilder,
    private readonly clients: FhirClientFactory,
    private readonly clock: Clock,
  ) {}

  /** The outcome of each id of the job, in the job's order. */
  async execute(job: FhirSyncJob): Promise<SyncOutcome[]> {
    const claimed = await this.store.claim(job.organisationId, job.syncIds, this.clock.now());
    const outcomes = new Map<string, SyncOutcome>();
    const finished: FinishedSync[] = [];

    await inParallel(claimed, FHIR_WRITES_PER_BATCH, async (sync) => {
      const { outcome, result } = await this.syncOne(sync);
      outcomes.set(sync.id, outcome);
      finished.push({ claimed: sync, result });
    });
    await this.store.finish(job.organisationId, finished);
    return job.syncIds.map((id) => outcomes.get(id) ?? 'not-due');
  }

  private async syncOne(
    claimed: ClaimedSync,
  ): Promise<{ outcome: SyncOutcome; result: SyncResult }> {
    const connection = await this.connection(claimed.organisationId, claimed.connectionId);
    const input = connection?.enabled
      ? this.inputs.build(connection, claimed.recipientId, claimed.facts)
      : null;
    if (!connection || !input) {
      return { outcome: 'skipped', result: { status: 'skipped', error: 'not_linked' } };
    }

    try {
      return { outcome: 'synced', result: await this.write(connection, claimed, input) };
    } catch (error) {
      return this.failed(connection, claimed, fhirFailureOf(error));
    }
  }

  /**
   * Connections are kept a few seconds: a sync runs once per event, and reading the row and
   * opening its token each time would double the sync's round trips. An edit reaches every
   * worker within CONNECTION_CACHE_MS (a deleted connection takes its sync rows with it).
   */
  private async connection(organisationId: string, id: string): Promise<FhirConnection | null> {
    const key = `${organisationId}:${id}`;
    const kept = this.kept.get(key);
    if (kept) {
      return kept;
    }
    try {
      const connection = await this.connections.open(organisationId, id);
      this.kept.set(key, connection);
      return connection;
    } catch (error) {
      if (error instanceof SealpostError && error.code === ErrorCode.NotFound) {
        return null;
      }
      throw error;
    }
  }

  private async write(
    connection: FhirConnection,
    claimed: ClaimedSync,
    input: ChartInput,
  ): Promise<SyncResult> {
    const mode = connection.capabilities?.writeMode ?? 'update';
    if (mode === 'unsupported') {
      throw new FhirConnectorError(FhirFailure.Unsupported, 'The server takes no Communication.');
    }
    const writer = new CommunicationWriter(await this.clients.authorised(connection));
    const state = communicationStateOf(input.events);
    const written = new Set(claimed.writtenKeys);
    const result: SyncResult = { status: 'synced', fhirStatus: state.status };

    if (mode === 'update') {
      // Belt and braces: a status is never replaced by a lower one, whatever was read.
      const behind =
        claimed.fhirStatus !== null &&
        statusRank(state.status) < statusRank(claimed.fhirStatus as typeof state.status);
      if (!behind) {
        const known: WrittenVersion | null = claimed.fhirId
          ? { id: claimed.fhirId, version: claimed.fhirVersion }
          : null;
        const version = await writer.update(communicationOf(input.message, state), known);
        result.fhirId = version.id;
        result.fhirVersion = version.version;
      }
    } else {
      for (const write of milestoneCommunicationsOf(input.message, state)) {
        if (!written.has(write.key)) {
          await writer.createOnce(write);
          written.add(write.key);
        }
      }
    }
    for (const reply of state.replies) {
      const write = replyCommunicationOf(input.message, reply);
      if (!written.has(write.key)) {
        await (mode === 'update' ? writer.update(write.resource, null) : writer.createOnce(write));
        written.add(write.key);
      }
    }
    result.writtenKeys = [...written];
    return result;
  }

  private failed(
    connection: FhirConnection,
    claimed: ClaimedSync,
    failure: FhirConnectorError,
  ): { outcome: SyncOutcome; result: SyncResult } {
    if (failure.failure === FhirFailure.AuthRefused) {
      this.clients.refused(connection);
    }
    const last = !failure.retryable || claimed.attempts >= FHIR_MAX_ATTEMPTS;
    const delay = FHIR_RETRY_DELAYS_SECONDS[Math.min(claimed.attempts, FHIR_MAX_ATTEMPTS) - 1] ?? 0;
    const result: SyncResult = {
      status: last ? 'failed' : 'pending',
      error: failure.httpStatus ? `${failure.failure}:${failure.httpStatus}` : failure.failure,
      nextAttemptAt: new Date(this.clock.now().getTime() + delay * 1000),
    };
    this.logger.warn(
      {
        organisationId: claimed.organisationId,
        syncId: claimed.id,
        connectionId: connection.id,
        attempts: claimed.attempts,
        failure: failure.failure,
        httpStatus: failure.httpStatus,
      },
      last ? 'fhir sync failed' : 'fhir sync will retry',
    );
    return { outcome: last ? 'failed' : 'retrying', result };
  }
}

/** Runs `work` on every item, `limit` at a time. */
async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
