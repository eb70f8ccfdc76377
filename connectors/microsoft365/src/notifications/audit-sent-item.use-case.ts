import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { AuditLog, Clock, requireAuditLog } from '@sealpost/core';
import { GATEWAY_TRANSIT_GRACE_MS, GatewayReceipts } from '@sealpost/messaging';
import { type Queue } from 'bull';
import { DataSource } from 'typeorm';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { GraphClientFactory } from '../graph/graph-client.factory';
import { m365FailureOf, M365Failure } from '../m365-connector-error';
import { M365_QUEUE, M365_SENT_ITEM_JOB, type SentItemJob } from '../subscriptions/m365-jobs';

/** The gateway's loop stamp (apps/smtp-gateway): present when mail went through Sealpost. */
export const GATEWAY_STAMP_HEADER = 'x-sealpost-gateway';

interface SentMessage {
  id: string;
  internetMessageId?: string | null;
  sentDateTime?: string | null;
  internetMessageHeaders?: { name?: string; value?: string }[] | null;
}

export const SENT_MESSAGE_SELECT = 'id,internetMessageId,sentDateTime,internetMessageHeaders';

export type SentItemVerdict = 'bypassed' | 'through-gateway' | 'seen' | 'later';

/**
 * Reads one sent message's ids and headers (never its subject or body) and records "mail
 * bypassed the gateway" in the audit chain when the gateway never took it: neither its
 * Message-ID among the gateway's receipts nor the gateway's stamp on it. Exchange keeps the
 * Sent copy before its transport reaches the gateway, so a message younger than the transit
 * grace is looked at again once the grace is over. A message is judged once, however often
 * Graph notifies.
 */
@Injectable()
export class AuditSentItemUseCase {
  private readonly logger = new Logger(AuditSentItemUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: M365ConnectionsService,
    private readonly clients: GraphClientFactory,
    private readonly receipts: GatewayReceipts,
    private readonly clock: Clock,
    @InjectQueue(M365_QUEUE) private readonly queue: Queue,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async execute(job: SentItemJob): Promise<SentItemVerdict | 'gone'> {
    const audit = requireAuditLog(this.audit);
    const connection = await this.connections.open(job.organisationId);
    if (!connection?.enabled) {
      return 'gone';
    }
    let message: SentMessage;
    try {
      message = (await (
        await this.clients.forConnection(connection)
      )
        .api(
          `/users/${encodeURIComponent(job.userId)}/messages/${encodeURIComponent(job.messageId)}`,
        )
        .select(SENT_MESSAGE_SELECT)
        .get()) as SentMessage;
    } catch (error) {
      const failure = m365FailureOf(error);
      if (failure.failure === M365Failure.Rejected && failure.httpStatus === 404) {
        return 'gone';
      }
      throw failure;
    }
    return this.judge(job.organisationId, job.userId, message, audit);
  }

  async judge(
    organisationId: string,
    userId: string,
    message: SentMessage,
    audit: AuditLog = requireAuditLog(this.audit),
  ): Promise<SentItemVerdict> {
    const stamped = await this.tookThroughGateway(organisationId, message);
    const waitMs = this.graceLeft(message);
    if (!stamped && waitMs > 0) {
      await this.recheckLater({ organisationId, userId, messageId: message.id }, waitMs);
      return 'later';
    }
    return this.dataSource.transaction(async (tx) => {
      const [first] = await tx.query<{ message_id: string }[]>(
        `INSERT INTO m365_sent_items (organisation_id, message_id, user_id, bypassed)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING message_id`,
        [organisationId, message.id, userId, !stamped],
      );
      if (!first) {
        return 'seen';
      }
      if (stamped) {
        return 'through-gateway';
      }
      await audit.append(tx, {
        organisationId,
        actor: { type: 'system', id: 'microsoft365' },
        action: 'm365_mail.bypassed_gateway',
        target: { type: 'm365_user', id: userId },
        outcome: 'failure',
        details: { graphMessageId: message.id.slice(0, 300) },
      });
      this.logger.warn({ organisationId, userId }, 'm365 sent mail bypassed the gateway');
      return 'bypassed';
    });
  }

  private async tookThroughGateway(organisationId: string, message: SentMessage) {
    const stamped = (message.internetMessageHeaders ?? []).some(
      (header) => header.name?.toLowerCase() === GATEWAY_STAMP_HEADER,
    );
    if (stamped || !message.internetMessageId) {
      return stamped;
    }
    const taken = await this.receipts.taken(organisationId, [message.internetMessageId]);
    return taken.size > 0;
  }

  /** How much of the transit grace is left; none when Graph gave no send time. */
  private graceLeft(message: SentMessage): number {
    const sentAt = Date.parse(message.sentDateTime ?? '');
    if (Number.isNaN(sentAt)) {
      return 0;
    }
    return sentAt + GATEWAY_TRANSIT_GRACE_MS - this.clock.now().getTime();
  }

  private async recheckLater(job: SentItemJob, waitMs: number): Promise<void> {
    await this.queue.add(M365_SENT_ITEM_JOB, job, {
      // Another id than the first look's, which may still be running.
      jobId: `m365-sent-recheck:${job.organisationId}:${job.messageId}`,
      // A second past the grace, so the next look decides.
      delay: waitMs + 1000,
      attempts: 5,
      backoff: { type: 'exponential', delay: 30_000 },
      removeOnComplete: true,
    });
  }
}
