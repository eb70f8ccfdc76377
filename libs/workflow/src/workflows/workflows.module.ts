import { Module } from '@nestjs/common';
import { MessagingModule } from '@sealpost/messaging';
import { ContactsModule } from '../contacts/contacts.module';
import { ConditionEvaluator } from '../engine/condition-evaluator';
import { CrossWorkflowGoto } from '../engine/cross-workflow-goto';
import { DefinitionCache } from '../engine/definition-cache';
import { EnrollContactsUseCase } from '../engine/enroll-contacts.use-case';
import { EnrollmentStore } from '../engine/enrollment-store';
import { KeyedJourneys } from '../engine/keyed-journeys';
import { RecordEventUseCase } from '../engine/record-event.use-case';
import { RunEnrollmentUseCase } from '../engine/run-enrollment.use-case';
import { SendEmailStepRunner } from '../engine/send-email-step';
import { StepExecutor } from '../engine/step-executor';
import { TriggerSweeper } from '../engine/trigger-sweeper';
import { WorkflowEngagementSink } from '../engine/workflow-engagement-sink';
import { Clock, SystemClock } from '../scheduling/clock';
import { WorkflowStatsService } from '../stats/workflow-stats.service';
import { TemplatesModule } from '../templates/templates.module';
import { WorkflowsRepository } from './workflows.repository';
import { WorkflowsService } from './workflows.service';

const SERVICES = [
  WorkflowsService,
  WorkflowStatsService,
  EnrollContactsUseCase,
  KeyedJourneys,
  RecordEventUseCase,
  RunEnrollmentUseCase,
  TriggerSweeper,
  WorkflowEngagementSink,
];

/**
 * Workflows and the journey engine. The api uses the services and use cases; the worker
 * adds the Bull queue, WorkflowScheduler and a processor calling RunEnrollmentUseCase.
 */
@Module({
  imports: [ContactsModule, TemplatesModule, MessagingModule],
  providers: [
    ...SERVICES,
    { provide: Clock, useClass: SystemClock },
    WorkflowsRepository,
    DefinitionCache,
    EnrollmentStore,
    ConditionEvaluator,
    SendEmailStepRunner,
    CrossWorkflowGoto,
    StepExecutor,
  ],
  exports: [...SERVICES, Clock],
})
export class WorkflowsModule {}
