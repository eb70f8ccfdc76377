import { Module } from '@nestjs/common';
import { TrackingModule } from '@sealpost/messaging';
import { OrganisationSettingsController } from './organisation-settings.controller';
import { TrackingController } from './tracking.controller';

/** Open and click endpoints, and the organisation setting that switches tracking off. */
@Module({
  imports: [TrackingModule.forRoot()],
  controllers: [TrackingController, OrganisationSettingsController],
})
export class TrackingHttpModule {}
