import { Injectable, Optional } from '@nestjs/common';
import {
  apiKeyActor,
  AuditLog,
  type AuthContext,
  ErrorCode,
  requireAuditLog,
  SealpostError,
} from '@sealpost/core';
import { DataSource, type Repository } from 'typeorm';
import { MessageEvent } from './message-event.entity';
import { MessageRecipient } from './message-recipient.entity';
import {
  type MessageFilters,
  type MessagePage,
  type MessageView,
  type RecipientView,
} from './message-views';
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from './created-at-cursor';
import { Message } from './message.entity';

/** Read side of messages. Every query is bound to the caller's organisation. */
@Injectable()
export class MessagesQueryService {
  private readonly messages: Repository<Message>;
  private readonly recipients: Repository<MessageRecipient>;
  private readonly events: Repository<MessageEvent>;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly audit?: AuditLog,
  ) {
    this.messages = dataSource.getRepository(Message);
    this.recipients = dataSource.getRepository(MessageRecipient);
    this.events = dataSource.getRepository(MessageEvent);
  }

  async get(caller: AuthContext, id: string): Promise<MessageView> {
    const organisationId = caller.organisationId;
    const message = await this.messages.findOneBy({ id, organisationId });
    if (!message) {
      throw new SealpostError(ErrorCode.NotFound, 'No such message.');
    }
    const [recipients, events] = await Promise.all([
      this.recipients.find({ where: { messageId: id, organisationId }, order: { id: 'ASC' } }),
      this.events.find({ where: { messageId: id, organisationId }, order: { id: 'ASC' } }),
    ]);
    // Addresses and metadata are PHI: nothing is returned unless the read is on record.
    const audit = requireAuditLog(this.audit);
    await this.dataSource.transaction((tx) =>
      audit.append(tx, {
        organisationId,
        actor: apiKeyActor(caller),
        action: 'message.read',
        target: { type: 'message', id },
      }),
    );
    return {
      id: message.id,
      from: message.fromAddress,
      tags: message.tags,
      metadata: message.metadata,
      sizeBytes: message.sizeBytes,
      createdAt: message.createdAt.toISOString(),
      recipients: recipients.map(recipientView),
      events: events.map((event) => ({
        type: event.type,
        recipientId: event.recipientId,
        at: event.createdAt.toISOString(),
        data: event.data,
      })),
    };
  }

  /** Newest first, keyset-paginated on (created_at, id) so pages stay stable under inserts. */
  async list(caller: AuthContext, filters: MessageFilters): Promise<MessagePage> {
    const query = this.messages
      .createQueryBuilder('m')
      .where('m.organisation_id = :org', { org: caller.organisationId })
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(filters.limit + 1);
    if (filters.tag) {
      query.andWhere(':tag = ANY(m.tags)', { tag: filters.tag });
    }
    if (filters.createdAfter) {
      query.andWhere('m.created_at >= :after', { after: filters.createdAfter });
    }
    if (filters.createdBefore) {
      query.andWhere('m.created_at < :before', { before: filters.createdBefore });
    }
    if (filters.status || filters.recipient) {
      const conditions = ['r.message_id = m.id', 'r.organisation_id = m.organisation_id'];
      if (filters.status) {
        conditions.push('r.status = :status');
      }
      if (filters.recipient) {
        conditions.push('r.address = :recipient');
      }
      query.andWhere(
        `EXISTS (SELECT 1 FROM message_recipients r WHERE ${conditions.join(' AND ')})`,
        {
          status: filters.status,
          recipient: filters.recipient,
        },
      );
    }
    if (filters.cursor) {
      const cursor = decodeCreatedAtCursor(filters.cursor);
      query.andWhere('(m.created_at, m.id) < (:cursorAt, :cursorId)', {
        cursorAt: cursor.createdAt,
        cursorId: cursor.id,
      });
    }

    const rows = await query.getMany();
    const page = rows.slice(0, filters.limit);
    const recipients = page.length
      ? await this.recipients
          .createQueryBuilder('r')
          .where('r.organisation_id = :org', { org: caller.organisationId })
          .andWhere('r.message_id IN (:...ids)', { ids: page.map((m) => m.id) })
          .orderBy('r.id')
          .getMany()
      : [];
    const last = page.at(-1);
    return {
      data: page.map((message) => ({
        id: message.id,
        from: message.fromAddress,
        tags: message.tags,
        createdAt: message.createdAt.toISOString(),
        recipients: recipients
          .filter((r) => r.messageId === message.id)
          .map((r) => ({ id: r.id, address: r.address, kind: r.kind, status: r.status })),
      })),
      nextCursor:
        rows.length > filters.limit && last
          ? encodeCreatedAtCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
          : null,
    };
  }
}

function recipientView(r: MessageRecipient): RecipientView {
  return {
    id: r.id,
    address: r.address,
    kind: r.kind,
    status: r.status,
    method: r.method,
    smtpResponse: r.smtpResponse,
    tls: r.tlsVersion && r.tlsCipher ? { version: r.tlsVersion, cipher: r.tlsCipher } : null,
    decision: r.decision,
    attempts: r.attempts,
    lastError: r.lastError,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    updatedAt: r.updatedAt.toISOString(),
  };
}
