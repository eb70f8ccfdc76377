import { Module } from '@nestjs/common';
import { FhirSyncModule } from '@sealpost/fhir';
import { FhirSyncProcessor } from './fhir-sync.processor';

/** EHR charting: the dispatcher (due sync rows to Bull) and the sync processor. */
@Module({
  imports: [FhirSyncModule],
  providers: [FhirSyncProcessor],
})
export class FhirWorkerModule {}
