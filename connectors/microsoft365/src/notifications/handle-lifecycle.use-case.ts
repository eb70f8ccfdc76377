import { Injectable, Logger } from '@nestjs/common';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { GraphClientFactory } from '../graph/graph-client.factory';
import { type LifecycleJob } from '../subscriptions/m365-jobs';
import {
  SentItemsSubscriptions,
  sentItemsResource,
} from '../subscriptions/sent-items-subscriptions.service';
import { AuditSentItemUseCase, SENT_MESSAGE_SELECT } from './audit-sent-item.use-case';

// After `missed`, the newest Sent Items are checked again: Graph names no message, and a user
// sends far fewer than this between two notifications that could be dropped.
const MISSED_RESYNC_MESSAGES = 50;

/** Graph's lifecycle notifications: reauthorize (renew), removed (recreate), missed (resync). */
@Injectable()
export class HandleLifecycleUseCase {
  private readonly logger = new Logger(HandleLifecycleUseCase.name);

  constructor(
    private readonly subscriptions: SentItemsSubscriptions,
    private readonly connections: M365ConnectionsService,
    private readonly clients: GraphClientFactory,
    private readonly sentItems: AuditSentItemUseCase,
  ) {}

  async execute(job: LifecycleJob): Promise<void> {
    this.logger.log(
      { organisationId: job.organisationId, subscriptionId: job.subscriptionId, event: job.event },
      'm365 lifecycle notification',
    );
    switch (job.event) {
      case 'reauthorizationRequired':
        return this.subscriptions.renew(job.organisationId, job.subscriptionId);
      case 'subscriptionRemoved':
        return this.subscriptions.recreate(job.organisationId, job.subscriptionId);
      case 'missed':
        return this.resync(job.organisationId, job.subscriptionId);
    }
  }

  private async resync(organisationId: string, subscriptionId: string): Promise<void> {
    const userId = await this.subscriptions.userOf(organisationId, subscriptionId);
    const connection = await this.connections.open(organisationId);
    if (!userId || !connection?.enabled) {
      return;
    }
    const client = await this.clients.forConnection(connection);
    const page = (await client
      .api(`/${sentItemsResource(encodeURIComponent(userId))}`)
      .select(SENT_MESSAGE_SELECT)
      .orderby('sentDateTime desc')
      .top(MISSED_RESYNC_MESSAGES)
      .get()) as { value?: { id: string }[] };
    for (const message of page.value ?? []) {
      await this.sentItems.judge(organisationId, userId, message);
    }
  }
}
