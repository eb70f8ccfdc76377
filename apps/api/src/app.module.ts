import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@sealpost/audit';
import {
  CallerGuard,
  CoreModule,
  HttpErrorFilter,
  loggerParams,
  type SealpostConfig,
} from '@sealpost/core';
import { MESSAGING_ENTITIES, MessagingModule, ProtectionModule } from '@sealpost/messaging';
import { LoggerModule } from 'nestjs-pino';
import { AddinsHttpModule } from './addins/addins-http.module';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuditHttpModule } from './audit/audit-http.module';
import { ContactsHttpModule } from './contacts/contacts-http.module';
import { RecipientCertificatesController } from './directory/recipient-certificates.controller';
import { RecipientKeysController } from './directory/recipient-keys.controller';
import { SenderGroupsModule } from './directory/sender-groups.module';
import { ConnectorsHttpModule } from './connectors/connectors-http.module';
import { FhirHttpModule } from './fhir/fhir-http.module';
import { GatewayAccessHttpModule } from './gateway/gateway-access-http.module';
import { GoogleWorkspaceHttpModule } from './google-workspace/google-workspace-http.module';
import { HealthController } from './health/health.controller';
import { MessageEventsHttpModule } from './message-events/message-events-http.module';
import { MessagesController } from './messages/messages.controller';
import { Microsoft365HttpModule } from './microsoft365/microsoft365-http.module';
import { OrganisationKeysController } from './organisation-keys/organisation-keys.controller';
import { OrganisationSmimeController } from './organisation-keys/organisation-smime.controller';
import { PolicyController } from './policy/policy.controller';
import { PortalHttpModule } from './portal/portal-http.module';
import { RetentionHttpModule } from './retention/retention-http.module';
import { ReportsHttpModule } from './reports/reports-http.module';
import { SuppressionsHttpModule } from './suppressions/suppressions-http.module';
import { TemplatesHttpModule } from './templates/templates-http.module';
import { SessionsController } from './users/sessions.controller';
import { UsersController } from './users/users.controller';
import { WorkflowsHttpModule } from './workflows/workflows-http.module';
import { TrackingHttpModule } from './tracking/tracking-http.module';
import { WebhooksHttpModule } from './webhooks/webhooks-http.module';

@Module({})
export class AppModule {
  static forRoot(config: SealpostConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logging, 'api')),
        CoreModule.forRoot(config, MESSAGING_ENTITIES),
        AuditModule,
        MessagingModule,
        ProtectionModule,
        PortalHttpModule,
        ContactsHttpModule,
        SuppressionsHttpModule,
        TemplatesHttpModule,
        WorkflowsHttpModule,
        TrackingHttpModule,
        AuditHttpModule,
        RetentionHttpModule,
        MessageEventsHttpModule,
        WebhooksHttpModule,
        ReportsHttpModule,
        GatewayAccessHttpModule,
        FhirHttpModule,
        AddinsHttpModule,
        GoogleWorkspaceHttpModule,
        Microsoft365HttpModule,
        ConnectorsHttpModule,
        SenderGroupsModule,
      ],
      controllers: [
        MessagesController,
        ApiKeysController,
        RecipientKeysController,
        RecipientCertificatesController,
        PolicyController,
        OrganisationKeysController,
        OrganisationSmimeController,
        HealthController,
        UsersController,
        SessionsController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: CallerGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
