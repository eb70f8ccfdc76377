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
import { FhirSyncStore, type ClaimedSync, type SyncResult } from './fhir-sync.store';

const CONNECTION_CACHE_MS = 5_000;
const CONNECTION_CACHE_ENTRIES = 1_000;

export type SyncOutcome = 'synced' | 'skipped' | 'retrying' | 'failed' | 'not-due';

/**
 * Charts one message recipient in one EHR: claims its sync row, derives the Communication
 * from every event so far, writes it idempotently, and records the result (or the next
 * attempt). Safe to run twice for the same row: the claim is a lease, writes are conditional.
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

  async execute(job: FhirSyncJob): Promise<SyncOutcome> {
    const claimed = await this.store.claim(job.organisationId, job.syncId, this.clock.now());
    if (!claimed) {
      return 'not-due';
    }

    const connection = await this.connection(job.organisationId, claimed.connectionId);
    const input = connection?.enabled
      ? this.inputs.build(connection, claimed.recipientId, claimed.facts)
      : null;
    if (!connection || !input) {
      await this.store.finish(claimed, { status: 'skipped', error: 'not_linked' });
      return 'skipped';
    }

    try {
      const result = await this.write(connection, claimed, input);
      await this.store.finish(claimed, result);
      return 'synced';
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

  private async failed(
    connection: FhirConnection,
    claimed: ClaimedSync,
    failure: FhirConnectorError,
  ): Promise<SyncOutcome> {
    if (failure.failure === FhirFailure.AuthRefused) {
      this.clients.refused(connection);
    }
    const last = !failure.retryable || claimed.attempts >= FHIR_MAX_ATTEMPTS;
    const delay = FHIR_RETRY_DELAYS_SECONDS[Math.min(claimed.attempts, FHIR_MAX_ATTEMPTS) - 1] ?? 0;
    await this.store.finish(claimed, {
      status: last ? 'failed' : 'pending',
      error: failure.httpStatus ? `${failure.failure}:${failure.httpStatus}` : failure.failure,
      nextAttemptAt: new Date(this.clock.now().getTime() + delay * 1000),
    });
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
    return last ? 'failed' : 'retrying';
  }
}
