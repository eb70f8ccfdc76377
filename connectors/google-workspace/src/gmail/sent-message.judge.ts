import { Injectable } from '@nestjs/common';
import { Clock } from '@sealpost/core';
import { GatewayReceipts } from '@sealpost/messaging';
import { type SentMessage } from './gmail-sent.reader';

// Gmail stores the Sent copy before it routes the message to the gateway, so a message with
// neither the stamp nor a gateway receipt may simply not have arrived yet. Routing takes
// seconds; a quarter of an hour also covers Gmail retrying a gateway that was briefly down.
export const BYPASS_GRACE_MS = 15 * 60 * 1000;

/** Whether a sent message passed the gateway: true, false, or not yet known (null). */
export interface SentVerdict {
  id: string;
  throughGateway: boolean | null;
  /** For an undecided message: when to judge it again. */
  decideAfter: Date | null;
}

/**
 * Judges sent messages: through the gateway when the copy carries the gateway's stamp or the
 * gateway took a message with the same Message-ID (its receipt); bypassed when neither and the
 * message is older than the grace period; otherwise undecided until then.
 */
@Injectable()
export class SentMessageJudge {
  constructor(
    private readonly receipts: GatewayReceipts,
    private readonly clock: Clock,
  ) {}

  async judge(organisationId: string, messages: readonly SentMessage[]): Promise<SentVerdict[]> {
    const headers = messages
      .filter((message) => !message.stamped && message.messageIdHeader)
      .map((message) => message.messageIdHeader as string);
    const taken = headers.length
      ? await this.receipts.taken(organisationId, headers)
      : new Set<string>();
    const now = this.clock.now().getTime();
    return messages.map((message) => {
      const received = message.messageIdHeader !== null && taken.has(message.messageIdHeader);
      if (message.stamped || received) {
        return { id: message.id, throughGateway: true, decideAfter: null };
      }
      const decideAt = message.sentAt.getTime() + BYPASS_GRACE_MS;
      if (decideAt > now) {
        return { id: message.id, throughGateway: null, decideAfter: new Date(decideAt) };
      }
      return { id: message.id, throughGateway: false, decideAfter: null };
    });
  }
}
