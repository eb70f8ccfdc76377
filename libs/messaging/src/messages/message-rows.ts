import { randomUUID } from 'node:crypto';
import { type EnvelopeCipher } from '@sealpost/core';
import { DELIVERY_TOPIC, OUTBOX_CHANNEL } from '../messaging.constants';
import { contentOf, sealContent } from './message-content';
import { type CheckedRecipients, sizeOf } from './message-limits';
import { MessageEventType, RecipientStatus } from './message-status';
import { type AcceptedMessage, type SendMessageCommand } from './send-message.command';

/** One message made ready for an accept statement: ids chosen, content sealed. */
export interface MessageRows {
  messageId: string;
  /**
   * $1 to $18 of the accept statements, in their order: message, recipients (as arrays),
   * the `accepted` event, the outbox topic and the relay's channel.
   */
  params: unknown[];
  /** What the accept answers, once the message's creation time is known. */
  answer(createdAt: string): AcceptedMessage;
}

export function messageRows(
  cipher: EnvelopeCipher,
  organisationId: string,
  command: SendMessageCommand,
  checked: CheckedRecipients,
): MessageRows {
  const messageId = randomUUID();
  const sealed = sealContent(cipher, organisationId, messageId, contentOf(command));
  const recipients = checked.recipients.map(({ kind, mailbox }) => ({
    id: randomUUID(),
    kind,
    address: mailbox.address,
    domain: mailbox.domain,
  }));
  return {
    messageId,
    params: [
      messageId,
      organisationId,
      command.from,
      command.tags,
      command.metadata,
      sealed.ciphertext,
      sealed.wrappedKey,
      sealed.keyId,
      sizeOf(command),
      RecipientStatus.Accepted,
      recipients.map((r) => r.id),
      recipients.map((r) => r.kind),
      recipients.map((r) => r.address),
      recipients.map((r) => r.domain),
      MessageEventType.Accepted,
      { recipients: recipients.length },
      DELIVERY_TOPIC,
      OUTBOX_CHANNEL,
    ],
    answer: (createdAt) => ({
      id: messageId,
      status: 'accepted',
      createdAt,
      recipients: recipients.map((r) => ({
        id: r.id,
        address: r.address,
        kind: r.kind,
        status: RecipientStatus.Accepted,
      })),
    }),
  };
}
