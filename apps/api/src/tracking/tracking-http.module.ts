import { Module } from '@nestjs/common';
import { TrackingModule } from '@sealpost/messaging';
import { WorkflowEngagementSink, WorkflowsModule } from '@sealpost/workflow';
import { OrganisationSettingsController } from './organisation-settings.controller';
import { TrackingController } from './tracking.controller';

/** Open and click endpoints, and the organisation setting that switches tracking off. */
@Module({
  // Each open and click also wakes the workflow enrollment waiting for it.
  imports: [TrackingModule.forRoot({ imports: [WorkflowsModule], sink: WorkflowEngagementSink })],
  controllers: [TrackingController, OrganisationSettingsController],
})
export class TrackingHttpModule {}
