import { Module } from '@nestjs/common';
import { AuditJobsRunner } from './jobs/audit-jobs.runner';
import { CheckpointSweeper } from './jobs/checkpoint-sweeper';
import { MessageEventChainer } from './jobs/message-event-chainer';

/** For the worker, beside AuditModule: chains message events and signs quiet chains. */
@Module({
  providers: [MessageEventChainer, CheckpointSweeper, AuditJobsRunner],
  exports: [MessageEventChainer, CheckpointSweeper],
})
export class AuditJobsModule {}
