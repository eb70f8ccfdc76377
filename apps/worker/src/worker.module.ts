import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuditJobsModule, AuditModule } from '@sealpost/audit';
import { CoreModule, loggerParams, type SealpostConfig } from '@sealpost/core';
import { DeliveryModule, MESSAGING_ENTITIES, RetentionPurgeModule } from '@sealpost/messaging';
import { LoggerModule } from 'nestjs-pino';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { FhirWorkerModule } from './fhir/fhir-worker.module';
import { GoogleWorkspaceWorkerModule } from './google-workspace/google-workspace-worker.module';
import { Microsoft365WorkerModule } from './microsoft365/microsoft365-worker.module';
import { ReportWorkerModule } from './reports/report-worker.module';
import { SenderGroupsModule } from './sender-groups.module';
import { WebhookWorkerModule } from './webhooks/webhook-worker.module';
import { WorkflowWorkerModule } from './workflow/workflow-worker.module';

@Module({})
export class WorkerModule {
  static forRoot(config: SealpostConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logging, 'worker')),
        CoreModule.forRoot(config, MESSAGING_ENTITIES),
        AuditModule,
        AuditJobsModule,
        BullModule.forRoot({ url: config.redis.url, prefix: config.redis.queuePrefix }),
        DeliveryModule,
        RetentionPurgeModule,
        WorkflowWorkerModule,
        WebhookWorkerModule,
        ReportWorkerModule,
        FhirWorkerModule,
        Microsoft365WorkerModule,
        GoogleWorkspaceWorkerModule,
        SenderGroupsModule,
      ],
      providers: [DeliveryProcessor],
    };
  }
}
