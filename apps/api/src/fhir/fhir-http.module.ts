import { Module } from '@nestjs/common';
import { FhirAdminModule } from '@sealpost/fhir';
import { FhirConnectionsController } from './fhir-connections.controller';
import { FhirJwksController } from './fhir-jwks.controller';
import { FhirSyncsController } from './fhir-syncs.controller';

@Module({
  imports: [FhirAdminModule],
  controllers: [FhirConnectionsController, FhirSyncsController, FhirJwksController],
})
export class FhirHttpModule {}
