import MailComposer from 'nodemailer/lib/mail-composer';
import { type MessageContent } from '../messages/message-content';
import { isDeliveredField } from '../messages/raw-mime';

export interface MimeInput {
  messageId: string;
  from: string;
  createdAt: Date;
  content: MessageContent;
  /** Domain for the Message-ID; the sending host's name. */
  idDomain: string;
}

/**
 * The RFC 5322 message every recipient of one message receives: same Message-ID and Date,
 * To and Cc as the sender wrote them, Bcc never in the headers.
 */
export function buildMime(input: MimeInput): Promise<Buffer> {
  const { content } = input;
  const composer = new MailComposer({
    from: input.from,
    to: content.to,
    cc: content.cc,
    replyTo: content.replyTo,
    subject: content.subject,
    text: content.text,
    html: content.html,
    headers: Object.fromEntries(
      Object.entries(content.headers).filter(([name]) => isDeliveredField(name)),
    ),
    messageId: `<${input.messageId}@${input.idDomain}>`,
    date: input.createdAt,
    attachments: content.attachments.map((attachment) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: Buffer.from(attachment.content, 'base64'),
    })),
  });
  return new Promise<Buffer>((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}
