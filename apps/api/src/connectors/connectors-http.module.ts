import { Module } from '@nestjs/common';
import { FhirStatusService } from '@sealpost/fhir';
import { GoogleWorkspaceAdminModule } from '@sealpost/google-workspace';
import { GatewayStatusService } from '@sealpost/messaging';
import { Microsoft365Module } from '@sealpost/microsoft365';
import { ConnectorsController } from './connectors.controller';

/** The overview of every connector; each keeps its own routes beside it. */
@Module({
  imports: [Microsoft365Module, GoogleWorkspaceAdminModule],
  providers: [GatewayStatusService, FhirStatusService],
  controllers: [ConnectorsController],
})
export class ConnectorsHttpModule {}
