import { Module } from '@nestjs/common';
import { WorkflowsModule } from '@sealpost/workflow';
import { EventsController } from './events.controller';
import { WorkflowsController } from './workflows.controller';

@Module({
  imports: [WorkflowsModule],
  controllers: [WorkflowsController, EventsController],
})
export class WorkflowsHttpModule {}
