import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, safeErrorFields, SealpostError } from '@sealpost/core';
import {
  AcceptMessageOnce,
  fieldName,
  GATEWAY_STAMP_HEADER,
  GatewayReceipts,
  InboundBounceHandler,
  MalformedMessageError,
  readReceivedMessage,
  type ReceivedEnvelope,
  splitRawHeaders,
} from '@sealpost/messaging';
import { GATEWAY_CONFIG } from '../config/gateway-config.token';
import { type GatewayConfig } from '../config/gateway-config';
import { type TransactionAccess } from './sender-access';
import { type RefusalReason, SmtpRefusal } from './smtp-refusal';

export interface IntakeResult {
  /** The reply text after 250. */
  reply: string;
}

/**
 * Takes one received message to durable storage: loop check, parse, then the same accept as
 * `POST /v1/messages` (sealed, a row per recipient, the accepted event, outbox). It resolves
 * only once the transaction committed, so the 250 that follows is never premature. A client
 * that lost our reply and sends again is recognised by the same bytes and envelope.
 */
@Injectable()
export class MessageIntake {
  private readonly logger = new Logger('SmtpGateway');
  private readonly stamp: string;

  constructor(
    private readonly accept: AcceptMessageOnce,
    private readonly receipts: GatewayReceipts,
    private readonly bounces: InboundBounceHandler,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.stamp = `i=${config.installationId}; host=${config.name}`;
  }

  async take(
    raw: Buffer,
    envelope: ReceivedEnvelope,
    access: TransactionAccess,
    sessionId: string,
    /** The Received field for this transaction (see receivedField). */
    received?: string,
  ): Promise<IntakeResult> {
    if (envelope.rcptTo.every((rcpt) => this.bounces.accepts(rcpt))) {
      return this.takeBounce(raw, envelope, sessionId);
    }
    if (access.kind !== 'organisation') {
      throw new SmtpRefusal('relay_denied');
    }
    if (this.carriesOurStamp(raw)) {
      throw new SmtpRefusal('loop');
    }
    const read = await readReceivedMessage(raw, envelope, this.stamp, received).catch(
      (error: unknown) => {
        if (error instanceof MalformedMessageError) {
          throw new SmtpRefusal('malformed');
        }
        throw error;
      },
    );

    const { message, replayed } = await this.accept
      .execute(
        { organisationId: access.organisationId, scopes: ['messages:send'] },
        read.command,
        { key: read.idempotencyKey, requestHash: read.requestHash },
        this.receipts.digest(read.originMessageId),
      )
      .catch((error: unknown) => {
        throw refusalFor(error, sessionId, this.logger);
      });
    this.logger.log(
      {
        sessionId,
        organisationId: access.organisationId,
        via: access.via,
        messageId: message.id,
        recipients: message.recipients.length,
        bytes: raw.length,
        replayed,
      },
      'gateway message accepted',
    );
    return { reply: `2.6.0 Message accepted as ${message.id}` };
  }

  /** A delivery status notification on our return paths: the bounces feature records it. */
  private async takeBounce(
    raw: Buffer,
    envelope: ReceivedEnvelope,
    sessionId: string,
  ): Promise<IntakeResult> {
    const { reference } = await this.bounces.receive(raw, envelope).catch((error: unknown) => {
      throw refusalFor(error, sessionId, this.logger);
    });
    this.logger.log({ sessionId, reference }, 'gateway bounce received');
    return { reply: '2.6.0 Delivery status notification received' };
  }

  /** True when a stamp of this installation is on the message: it came back to us. */
  private carriesOurStamp(raw: Buffer): boolean {
    const block = splitRawHeaders(raw);
    const mark = `i=${this.config.installationId}`;
    return (block?.fields ?? []).some(
      (field) =>
        fieldName(field) === GATEWAY_STAMP_HEADER.toLowerCase() &&
        field.slice(field.indexOf(':') + 1).includes(mark),
    );
  }
}

// The accept's own refusals; any other error is ours.
const REFUSALS: Partial<Record<ErrorCode, RefusalReason>> = {
  [ErrorCode.TooManyRecipients]: 'too_many_recipients',
  [ErrorCode.PayloadTooLarge]: 'too_big',
  [ErrorCode.ValidationFailed]: 'malformed',
};

function refusalFor(error: unknown, sessionId: string, logger: Logger): SmtpRefusal {
  const reason = error instanceof SealpostError ? REFUSALS[error.code] : undefined;
  if (reason) {
    return new SmtpRefusal(reason);
  }
  // Anything else is ours (the database, most often): the client keeps the message and
  // tries again later, which is what a 4xx asks of it.
  logger.error({ sessionId, err: safeErrorFields(error) }, 'gateway message not stored');
  return new SmtpRefusal('storage_unavailable');
}
