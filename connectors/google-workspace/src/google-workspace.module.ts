import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { GatewayReceipts } from '@sealpost/messaging';
import { GoogleConnectionsService } from './connections/google-connections.service';
import { DirectoryReader } from './directory/directory-reader';
import { GoogleDirectoryGroupsQuery } from './directory/directory-groups.query';
import { DirectoryStore } from './directory/directory.store';
import { GoogleSenderGroups } from './directory/google-sender-groups';
import { SyncDirectoryUseCase } from './directory/sync-directory.use-case';
import { CheckSentMailUseCase } from './gmail/check-sent-mail.use-case';
import { GmailSentReader } from './gmail/gmail-sent.reader';
import { MailboxWatchService } from './gmail/mailbox-watch.service';
import { SentMessageJudge } from './gmail/sent-message.judge';
import { GoogleClientsFactory } from './google/google-clients.factory';
import { GoogleMaintenanceService } from './jobs/google-maintenance.service';
import { GOOGLE_WORKSPACE_QUEUE } from './jobs/google-workspace-jobs';
import { GoogleWorkspaceJobs } from './jobs/google-workspace-jobs.service';
import { PushAuthenticator } from './push/push-authenticator';
import { ReceiveGmailPushUseCase } from './push/receive-gmail-push.use-case';
import { GoogleWorkspaceStatusService } from './status/google-workspace-status.service';

const SHARED = [
  GoogleSenderGroups,
  GoogleConnectionsService,
  GoogleClientsFactory,
  GoogleWorkspaceJobs,
  GoogleWorkspaceStatusService,
  GoogleDirectoryGroupsQuery,
];

/** The api side: the connection, its status, a sync on request, and Pub/Sub pushes. */
@Module({
  imports: [BullModule.registerQueue({ name: GOOGLE_WORKSPACE_QUEUE })],
  providers: [...SHARED, PushAuthenticator, ReceiveGmailPushUseCase],
  exports: [...SHARED, ReceiveGmailPushUseCase],
})
export class GoogleWorkspaceAdminModule {}

/** The worker side: directory sync, watches, history reads and the hourly maintenance. */
@Module({
  imports: [BullModule.registerQueue({ name: GOOGLE_WORKSPACE_QUEUE })],
  providers: [
    ...SHARED,
    DirectoryReader,
    DirectoryStore,
    SyncDirectoryUseCase,
    GmailSentReader,
    GatewayReceipts,
    SentMessageJudge,
    MailboxWatchService,
    CheckSentMailUseCase,
    GoogleMaintenanceService,
  ],
  exports: [
    GoogleWorkspaceJobs,
    GoogleSenderGroups,
    SyncDirectoryUseCase,
    MailboxWatchService,
    CheckSentMailUseCase,
    GoogleMaintenanceService,
    BullModule,
  ],
})
export class GoogleWorkspaceSyncModule {}
