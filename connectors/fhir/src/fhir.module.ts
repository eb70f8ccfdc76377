import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { WorkflowsModule } from '@sealpost/workflow';
import { AppointmentIntakeUseCase } from './appointments/appointment-intake.use-case';
import { AppointmentJourneysQuery } from './appointments/appointment-journeys.query';
import { AppointmentPoller } from './appointments/appointment-poller.service';
import { AppointmentTriggersService } from './appointments/appointment-triggers.service';
import { ReceiveNotificationUseCase } from './appointments/receive-notification.use-case';
import { FhirClientFactory } from './connections/fhir-client.factory';
import { FhirConnectionsService } from './connections/fhir-connections.service';
import { TestFhirConnectionUseCase } from './connections/test-fhir-connection.use-case';
import { FhirSigningKeysService } from './smart/fhir-signing-keys.service';
import { SmartTokenProvider } from './smart/smart-token.provider';
import { ChartInputBuilder } from './sync/chart-input.builder';
import { FhirSyncDispatcher } from './sync/fhir-sync-dispatcher.service';
import { FHIR_SYNC_QUEUE } from './sync/fhir-sync-job';
import { FhirSyncStore } from './sync/fhir-sync.store';
import { FhirSyncsService } from './sync/fhir-syncs.service';
import { SyncCommunicationUseCase } from './sync/sync-communication.use-case';

const SHARED_PROVIDERS = [
  FhirSigningKeysService,
  FhirConnectionsService,
  SmartTokenProvider,
  FhirClientFactory,
];

/** The admin side: connections, keys and JWKS, connection tests, sync status and replay. */
@Module({
  providers: [...SHARED_PROVIDERS, TestFhirConnectionUseCase, FhirSyncsService],
  exports: [
    FhirConnectionsService,
    FhirSigningKeysService,
    TestFhirConnectionUseCase,
    FhirSyncsService,
  ],
})
export class FhirAdminModule {}

/** The writing side: the dispatcher and one sync at a time (the worker uses it). */
@Module({
  imports: [BullModule.registerQueue({ name: FHIR_SYNC_QUEUE })],
  providers: [
    ...SHARED_PROVIDERS,
    ChartInputBuilder,
    FhirSyncStore,
    SyncCommunicationUseCase,
    FhirSyncDispatcher,
  ],
  exports: [SyncCommunicationUseCase, FhirSyncDispatcher, BullModule],
})
export class FhirSyncModule {}

/**
 * EHR appointments starting journeys: trigger settings (api), the poller (worker) and the
 * Subscription notification endpoint (api), all applying appointments through one intake.
 */
@Module({
  imports: [WorkflowsModule],
  providers: [
    ...SHARED_PROVIDERS,
    AppointmentTriggersService,
    AppointmentIntakeUseCase,
    AppointmentJourneysQuery,
    AppointmentPoller,
    ReceiveNotificationUseCase,
  ],
  exports: [
    AppointmentTriggersService,
    AppointmentJourneysQuery,
    AppointmentPoller,
    ReceiveNotificationUseCase,
  ],
})
export class FhirTriggersModule {}
