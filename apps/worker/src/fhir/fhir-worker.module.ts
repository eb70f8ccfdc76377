import { Module } from '@nestjs/common';
import { FhirSyncModule, FhirTriggersModule } from '@sealpost/fhir';
import { FhirAppointmentPollLoop } from './fhir-appointment-poll.loop';
import { FhirSyncProcessor } from './fhir-sync.processor';

/**
 * EHR charting (the dispatcher of due sync rows and the sync processor) and appointment
 * polling (EHR appointments starting journeys).
 */
@Module({
  imports: [FhirSyncModule, FhirTriggersModule],
  providers: [FhirSyncProcessor, FhirAppointmentPollLoop],
})
export class FhirWorkerModule {}
