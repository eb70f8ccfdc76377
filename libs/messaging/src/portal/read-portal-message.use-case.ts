import { Injectable, Logger } from '@nestjs/common';
import { EnvelopeCipher } from '@sealpost/core';
import { convert } from 'html-to-text';
import { DataSource } from 'typeorm';
import { type MessageContent, openContent } from '../messages/message-content';
import { PortalError, PortalErrorCode } from './portal-error';
import { PortalEvents, PortalEventType } from './portal-events';
import { type PortalLink } from './portal-links.repository';

export interface PortalMessage {
  from: string;
  organisationName: string;
  subject: string;
  /** Plain text: the text part, or the HTML part reduced to text; never markup. */
  text: string;
  sentAt: Date;
  attachments: { index: number; filename: string; sizeBytes: number }[];
}

export interface PortalAttachment {
  filename: string;
  content: Buffer;
}

interface MessageRow {
  from_address: string;
  created_at: Date;
  content_ciphertext: Buffer | null;
  content_wrapped_key: Buffer | null;
  content_key_id: string | null;
  organisation_name: string;
}

/** Opens the message of a verified session; every view and download becomes an event. */
@Injectable()
export class ReadPortalMessageUseCase {
  private readonly logger = new Logger(ReadPortalMessageUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: EnvelopeCipher,
    private readonly events: PortalEvents,
  ) {}

  async view(link: PortalLink): Promise<PortalMessage> {
    const { row, content } = await this.load(link);
    await this.events.record(link, PortalEventType.Viewed);
    this.logger.log({ linkId: link.id, messageId: link.messageId }, 'portal message viewed');
    return {
      from: row.from_address,
      organisationName: row.organisation_name,
      subject: content.subject,
      text: content.text ?? (content.html ? convert(content.html, { wordwrap: false }) : ''),
      sentAt: new Date(row.created_at),
      attachments: content.attachments.map((attachment, index) => ({
        index,
        filename: attachment.filename,
        sizeBytes: Buffer.byteLength(attachment.content, 'base64'),
      })),
    };
  }

  async download(link: PortalLink, index: number): Promise<PortalAttachment> {
    const { content } = await this.load(link);
    const attachment = Number.isInteger(index) ? content.attachments[index] : undefined;
    if (!attachment) {
      throw new PortalError(PortalErrorCode.NotFound);
    }
    await this.events.record(link, PortalEventType.Downloaded, { attachment: index });
    this.logger.log(
      { linkId: link.id, messageId: link.messageId, attachment: index },
      'portal attachment downloaded',
    );
    return { filename: attachment.filename, content: Buffer.from(attachment.content, 'base64') };
  }

  /** The message and its organisation, always through the link's own organisation id. */
  async load(link: PortalLink): Promise<{ row: MessageRow; content: MessageContent }> {
    const [row] = await this.dataSource.query<MessageRow[]>(
      `SELECT m.from_address, m.created_at, m.content_ciphertext, m.content_wrapped_key,
              m.content_key_id, o.name AS organisation_name
         FROM messages m JOIN organisations o ON o.id = m.organisation_id
        WHERE m.id = $1 AND m.organisation_id = $2`,
      [link.messageId, link.organisationId],
    );
    if (!row) {
      throw new PortalError(PortalErrorCode.LinkUnknown);
    }
    if (!row.content_ciphertext || !row.content_wrapped_key || !row.content_key_id) {
      // The organisation's retention policy destroyed the body: to the reader, the link is over.
      throw new PortalError(PortalErrorCode.LinkExpired);
    }
    const content = openContent(this.cipher, link.organisationId, link.messageId, {
      ciphertext: row.content_ciphertext,
      wrappedKey: row.content_wrapped_key,
      keyId: row.content_key_id,
    });
    return { row, content };
  }
}
