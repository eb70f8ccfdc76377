import { Inject, Injectable, Logger } from '@nestjs/common';
import { EnvelopeCipher, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { openContent } from '../messages/message-content';
import { parseMailbox } from '../messages/mailbox';
import { type DeliveryJob } from '../outbox/delivery-job';
import { type DeliveryOutcome } from './delivery-outcome';
import { type ClaimedRecipient, DeliveryRecorder } from './delivery-recorder';
import { buildMime } from './mime-builder';
import { RouteError, RouteResolver } from './route-resolver';
import { SmtpConnectionPool, type SmtpEnvelope } from './smtp-connection-pool';
import { SmtpFailure } from './smtp-failure';

interface StoredMessage {
  from_address: string;
  created_at: Date;
  content_ciphertext: Buffer;
  content_wrapped_key: Buffer;
  content_key_id: string;
}

/**
 * One attempt to deliver one recipient's copy: claim it, build the MIME message, find the
 * route, send over verified TLS, record the outcome. Safe to run twice for the same job.
 */
@Injectable()
export class DeliverRecipientUseCase {
  private readonly logger = new Logger(DeliverRecipientUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly recorder: DeliveryRecorder,
    private readonly routes: RouteResolver,
    private readonly pool: SmtpConnectionPool,
    @Inject(SEALPOST_CONFIG) private readonly config: SealpostConfig,
  ) {}

  async execute(job: DeliveryJob): Promise<void> {
    const claimed = await this.recorder.claim(job);
    if (!claimed) {
      await this.recorder.settleUnclaimed(job);
      return;
    }

    const { raw, envelopeFrom } = await this.compose(job, claimed);
    const outcome = await this.send(claimed, { from: envelopeFrom, to: [claimed.address] }, raw);
    const status = await this.recorder.record(job, claimed, outcome);
    this.logger.log(
      {
        messageId: claimed.messageId,
        recipientId: job.recipientId,
        status,
        attempt: claimed.attempts,
        host: outcome.host,
        reason: outcome.kind === 'failure' ? outcome.failure.reason : undefined,
      },
      'delivery attempt',
    );
  }

  private async compose(
    job: DeliveryJob,
    claimed: ClaimedRecipient,
  ): Promise<{ raw: Buffer; envelopeFrom: string }> {
    const [message] = await this.dataSource.query<StoredMessage[]>(
      `SELECT from_address, created_at, content_ciphertext, content_wrapped_key, content_key_id
         FROM messages WHERE id = $1 AND organisation_id = $2`,
      [claimed.messageId, job.organisationId],
    );
    const content = openContent(this.cipher, job.organisationId, claimed.messageId, {
      ciphertext: message.content_ciphertext,
      wrappedKey: message.content_wrapped_key,
      keyId: message.content_key_id,
    });
    const raw = await buildMime({
      messageId: claimed.messageId,
      from: message.from_address,
      createdAt: new Date(message.created_at),
      content,
      idDomain: this.config.delivery.ehloName,
    });
    return { raw, envelopeFrom: parseMailbox(message.from_address)?.address ?? '' };
  }

  private async send(
    claimed: ClaimedRecipient,
    envelope: SmtpEnvelope,
    raw: Buffer,
  ): Promise<DeliveryOutcome> {
    let route;
    try {
      route = await this.routes.resolve(claimed.domain);
    } catch (error) {
      if (error instanceof RouteError) {
        const kind = error.permanent ? 'permanent' : 'temporary';
        return { kind: 'failure', host: null, failure: new SmtpFailure(kind, error.message) };
      }
      throw error;
    }

    let last: DeliveryOutcome | undefined;
    for (const hop of route.hops) {
      try {
        const delivery = await this.pool.send(hop, envelope, raw);
        return { kind: 'delivered', host: hop.host, ...delivery };
      } catch (error) {
        if (!(error instanceof SmtpFailure)) {
          throw error;
        }
        last = { kind: 'failure', host: hop.host, failure: error };
        // Only an unreachable server moves on to the next MX; a server that answered has
        // spoken for the domain.
        if (error.kind !== 'temporary' || error.responseCode !== undefined) {
          break;
        }
      }
    }
    return (
      last ?? { kind: 'failure', host: null, failure: new SmtpFailure('temporary', 'no route') }
    );
  }
}
