import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import { parseMailbox } from '../messages/mailbox';
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
  ) {}

  async execute(link: PortalLink, text: string): Promise<string> {
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

    const { message } = await this.accept.execute(
      { organisationId: link.organisationId, apiKeyId: 'portal', scopes: ['messages:send'] },
      {
        from: `Secure portal reply <${sender.address}>`,
        to: [sender.address],
        cc: [],
        bcc: [],
        replyTo: recipientAddress,
        subject: /^re:/i.test(content.subject) ? content.subject : `Re: ${content.subject}`,
        text: `Reply from ${recipientAddress} through the secure portal:\n\n${body}\n`,
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
