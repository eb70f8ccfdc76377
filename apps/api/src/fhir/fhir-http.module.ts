import { Module } from '@nestjs/common';
import { FhirAdminModule, FhirTriggersModule } from '@sealpost/fhir';
import { FhirAppointmentTriggersController } from './fhir-appointment-triggers.controller';
import { FhirAppointmentsController } from './fhir-appointments.controller';
import { FhirConnectionsController } from './fhir-connections.controller';
import { FhirJwksController } from './fhir-jwks.controller';
import { FhirNotificationsController } from './fhir-notifications.controller';
import { FhirSyncsController } from './fhir-syncs.controller';

@Module({
  imports: [FhirAdminModule, FhirTriggersModule],
  controllers: [
    FhirConnectionsController,
    FhirSyncsController,
    FhirJwksController,
    FhirAppointmentTriggersController,
    FhirAppointmentsController,
    FhirNotificationsController,
  ],
})
export class FhirHttpModule {}
