import { type EnvelopeCipher, type SealedValue } from '@sealpost/core';

export interface AttachmentContent {
  filename: string;
  contentType: string;
  /** base64 */
  content: string;
}

/** Everything of a message that is PHI or may be: stored only sealed. */
export interface MessageContent {
  subject: string;
  text?: string;
  html?: string;
  replyTo?: string;
  headers: Record<string, string>;
  attachments: AttachmentContent[];
  to: string[];
  cc: string[];
  /** false: the sender asked for no open pixel and no tracked links. Absent: allowed. */
  tracking?: boolean;
  /**
   * The message as the SMTP gateway received it, with the gateway's stamp on top, one
   * character per byte (latin1: every byte survives JSON, and mail, mostly ASCII, stays about
   * its own size where base64 would add a third). When present it is what recipients get; the
   * fields above are read from it for the policy and the portal.
   */
  raw?: string;
}

/** The sealed part of a message to send: exactly these fields, nothing else of the command. */
export function contentOf(command: MessageContent): MessageContent {
  return {
    subject: command.subject,
    text: command.text,
    html: command.html,
    replyTo: command.replyTo,
    headers: command.headers,
    attachments: command.attachments,
    to: command.to,
    cc: command.cc,
    tracking: command.tracking,
    raw: command.raw,
  };
}

function contextOf(organisationId: string, messageId: string): string {
  return `message-content:${organisationId}:${messageId}`;
}

export function sealContent(
  cipher: EnvelopeCipher,
  organisationId: string,
  messageId: string,
  content: MessageContent,
): SealedValue {
  const plaintext = Buffer.from(JSON.stringify(content), 'utf8');
  return cipher.seal(plaintext, contextOf(organisationId, messageId));
}

export function openContent(
  cipher: EnvelopeCipher,
  organisationId: string,
  messageId: string,
  sealed: SealedValue,
): MessageContent {
  const plaintext = cipher.open(sealed, contextOf(organisationId, messageId));
  return JSON.parse(plaintext.toString('utf8')) as MessageContent;
}
