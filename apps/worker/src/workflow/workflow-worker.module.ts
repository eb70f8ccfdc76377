import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { WORKFLOW_QUEUE, WorkflowScheduler, WorkflowsModule } from '@sealpost/workflow';
import { WorkflowProcessor } from './workflow.processor';

/** The journey engine's worker side: the scheduler that reads due times, and the processor. */
@Module({
  imports: [BullModule.registerQueue({ name: WORKFLOW_QUEUE }), WorkflowsModule],
  providers: [WorkflowScheduler, WorkflowProcessor],
})
export class WorkflowWorkerModule {}
