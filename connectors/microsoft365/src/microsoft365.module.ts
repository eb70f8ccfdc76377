import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { GatewayReceipts } from '@sealpost/messaging';
import { M365ConnectionsService } from './connections/m365-connections.service';
import { DirectoryStore } from './directory/directory.store';
import { M365SenderGroups } from './directory/m365-sender-groups';
import { SyncDirectoryUseCase } from './directory/sync-directory.use-case';
import { GraphClientFactory } from './graph/graph-client.factory';
import { GraphTokenProvider } from './graph/graph-token.provider';
import { AuditSentItemUseCase } from './notifications/audit-sent-item.use-case';
import { HandleLifecycleUseCase } from './notifications/handle-lifecycle.use-case';
import { NotificationIntake } from './notifications/notification-intake.service';
import { DeliverReplyToMailboxUseCase } from './replies/deliver-reply-to-mailbox.use-case';
import { M365StatusService } from './status/m365-status.service';
import { M365_QUEUE } from './subscriptions/m365-jobs';
import { SentItemsSubscriptions } from './subscriptions/sent-items-subscriptions.service';

const PROVIDERS = [
  M365ConnectionsService,
  GraphTokenProvider,
  GraphClientFactory,
  DirectoryStore,
  SyncDirectoryUseCase,
  SentItemsSubscriptions,
  NotificationIntake,
  AuditSentItemUseCase,
  HandleLifecycleUseCase,
  DeliverReplyToMailboxUseCase,
  M365StatusService,
  GatewayReceipts,
  M365SenderGroups,
];

/**
 * The Microsoft 365 connector for both processes: the api uses the connection, sync, status
 * and notification intake; the worker the jobs (notifications, lifecycle, maintenance).
 */
@Module({
  imports: [BullModule.registerQueue({ name: M365_QUEUE })],
  providers: PROVIDERS,
  exports: [...PROVIDERS, BullModule],
})
export class Microsoft365Module {}
