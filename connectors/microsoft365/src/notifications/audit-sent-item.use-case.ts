import { Injectable, Logger, Optional } from '@nestjs/common';
import { AuditLog, requireAuditLog } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { M365ConnectionsService } from '../connections/m365-connections.service';
import { GraphClientFactory } from '../graph/graph-client.factory';
import { m365FailureOf, M365Failure } from '../m365-connector-error';
import { type SentItemJob } from '../subscriptions/m365-jobs';

/** The gateway's loop stamp (apps/smtp-gateway): present when mail went through Sealpost. */
export const GATEWAY_STAMP_HEADER = 'x-sealpost-gateway';

interface SentMessage {
  id: string;
  internetMessageHeaders?: { name?: string; value?: string }[] | null;
}

export const SENT_MESSAGE_SELECT = 'id,internetMessageHeaders';

/**
 * Reads one sent message's headers (never its subject or body) and, when it lacks the
 * gateway's stamp, records "mail bypassed the gateway" in the audit chain. A message is
 * judged once, however often Graph notifies.
 */
@Injectable()
export class AuditSentItemUseCase {
  private readonly logger = new Logger(AuditSentItemUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly connections: M365ConnectionsService,
    private readonly clients: GraphClientFactory,
    @Optional() private readonly audit?: AuditLog,
  ) {}

  async execute(job: SentItemJob): Promise<'bypassed' | 'through-gateway' | 'seen' | 'gone'> {
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
  ): Promise<'bypassed' | 'through-gateway' | 'seen'> {
    const stamped = (message.internetMessageHeaders ?? []).some(
      (header) => header.name?.toLowerCase() === GATEWAY_STAMP_HEADER,
    );
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
}
