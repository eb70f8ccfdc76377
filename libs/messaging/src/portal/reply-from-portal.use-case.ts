import { Injectable, Logger, Optional } from '@nestjs/common';
import { safeErrorFields } from '@sealpost/core';
import { DataSource } from 'typeorm';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import { parseMailbox } from '../messages/mailbox';
import { type MailboxReply, MailboxReplies } from './mailbox-replies.port';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { type PortalLink } from './portal-links.repository';
import { ReadPortalMessageUseCase } from './read-portal-message.use-case';

// A reply typed into a form; longer text belongs in an attachment or a call.
export const MAX_REPLY_CHARACTERS = 20_000;

/**
 * A recipient's answer from the portal becomes a new message of the same organisation to the
 * original sender, accepted through the same durable path as any other. It asks for
 * protection itself (`X-Sealpost-Encrypt: 1`), and Reply-To names the recipient.
 */
@Injectable()
export class ReplyFromPortalUseCase {
  private readonly logger = new Logger(ReplyFromPortalUseCase.name);

  constructor(
    private readonly reader: ReadPortalMessageUseCase,
    private readonly accept: AcceptMessageUseCase,
    private readonly events: PortalEvents,
    private readonly dataSource: DataSource,
    @Optional() private readonly mailboxes?: MailboxReplies,
  ) {}

  /**
   * Answers the id of the reply message, or null when a connector put the reply straight
   * into the sender's mailbox (then no message is stored; the event says where it went).
   */
  async execute(link: PortalLink, text: string): Promise<string | null> {
    const body = text.replace(/\r\n/g, '\n').trim();
    if (!body || body.length > MAX_REPLY_CHARACTERS) {
      throw new PortalError(PortalErrorCode.ReplyInvalid);
    }
    const { row, content } = await this.reader.load(link);
    const sender = parseMailbox(row.from_address);
    const recipientAddress = await this.recipientAddress(link);
    if (!sender) {
      throw new PortalError(PortalErrorCode.NotFound);
    }

    const subject = /^re:/i.test(content.subject) ? content.subject : `Re: ${content.subject}`;
    const replyText = `Reply from ${recipientAddress} through the secure portal:\n\n${body}\n`;
    const placed = await this.intoMailbox(link, {
      to: sender.address,
      replyTo: recipientAddress,
      subject,
      text: replyText,
    });
    if (placed) {
      await this.events.record(link, PortalEventType.Replied, { deliveredTo: 'mailbox' });
      this.logger.log({ linkId: link.id, messageId: link.messageId }, 'portal reply in mailbox');
      return null;
    }

    const { message } = await this.accept.execute(
      { organisationId: link.organisationId, apiKeyId: 'portal', scopes: ['messages:send'] },
      {
        from: `Secure portal reply <${sender.address}>`,
        to: [sender.address],
        cc: [],
        bcc: [],
        replyTo: recipientAddress,
        subject,
        text: replyText,
        headers: { 'X-Sealpost-Encrypt': '1' },
        attachments: [],
        tags: ['portal-reply'],
        metadata: { portalReplyTo: link.messageId },
      },
    );

    await this.events.record(link, PortalEventType.Replied, { replyMessageId: message.id });
    this.logger.log(
      { linkId: link.id, messageId: link.messageId, replyMessageId: message.id },
      'portal reply accepted',
    );
    return message.id;
  }

  /** A connector's failure only means the reply goes by mail, as without a connector. */
  private async intoMailbox(link: PortalLink, reply: MailboxReply): Promise<boolean> {
    if (!this.mailboxes) {
      return false;
    }
    try {
      return (await this.mailboxes.deliver(link.organisationId, reply)) !== null;
    } catch (error) {
      this.logger.warn(
        { linkId: link.id, err: safeErrorFields(error) },
        'portal reply not placed in mailbox; sending by mail',
      );
      return false;
    }
  }

  private async recipientAddress(link: PortalLink): Promise<string> {
    const [row] = await this.dataSource.query<{ address: string }[]>(
      'SELECT address FROM message_recipients WHERE id = $1 AND organisation_id = $2',
      [link.recipientId, link.organisationId],
    );
    if (!row) {
      throw new PortalError(PortalErrorCode.LinkUnknown);
    }
    return row.address;
  }
}
