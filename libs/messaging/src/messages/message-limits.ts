import { ErrorCode, SealpostError, type ErrorDetail } from '@sealpost/core';
import { parseMailbox, type Mailbox } from './mailbox';
import { type SendMessageCommand } from './send-message.command';

export interface MessageLimits {
  maxMessageBytes: number;
  maxRecipients: number;
}

// Headers Sealpost writes itself; a caller setting them would corrupt the MIME structure or
// the envelope, or spoof what the audit trail records.
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'reply-to',
  'sender',
  'return-path',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'received',
]);
const HEADER_NAME = /^[!-9;-~]{1,76}$/;

export interface CheckedRecipients {
  from: Mailbox;
  recipients: { kind: 'to' | 'cc' | 'bcc'; mailbox: Mailbox }[];
}

/**
 * Business rules on a well-formed command: valid mailboxes, recipient count, header names
 * and total size. Error text names fields, never their values (they are PHI).
 */
export function checkMessage(
  command: SendMessageCommand,
  limits: MessageLimits,
): CheckedRecipients {
  const details: ErrorDetail[] = [];
  const from = parseMailbox(command.from);
  if (!from) {
    details.push({ path: 'from', message: 'is not a valid email address' });
  }
  const recipients: CheckedRecipients['recipients'] = [];
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    command[kind].forEach((value, index) => {
      const mailbox = parseMailbox(value);
      if (mailbox) {
        recipients.push({ kind, mailbox });
      } else {
        details.push({ path: `${kind}[${index}]`, message: 'is not a valid email address' });
      }
    });
  }
  if (command.replyTo !== undefined && !parseMailbox(command.replyTo)) {
    details.push({ path: 'replyTo', message: 'is not a valid email address' });
  }
  for (const name of Object.keys(command.headers)) {
    const value = command.headers[name];
    if (
      !HEADER_NAME.test(name) ||
      RESERVED_HEADERS.has(name.toLowerCase()) ||
      /[\r\n]/.test(value)
    ) {
      details.push({
        path: `headers.${name.slice(0, 76)}`,
        message: 'is reserved or not a valid header',
      });
    }
  }
  if (details.length) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The message is not valid.', details);
  }

  const total = command.to.length + command.cc.length + command.bcc.length;
  if (total === 0) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'A message needs at least one recipient.', [
      { path: 'to', message: 'at least one of to, cc or bcc is required' },
    ]);
  }
  if (total > limits.maxRecipients) {
    throw new SealpostError(
      ErrorCode.TooManyRecipients,
      `A message may have at most ${limits.maxRecipients} recipients; this one has ${total}.`,
    );
  }
  const size = sizeOf(command);
  if (size > limits.maxMessageBytes) {
    throw new SealpostError(
      ErrorCode.PayloadTooLarge,
      `The message is ${size} bytes; the limit is ${limits.maxMessageBytes} bytes.`,
    );
  }
  return { from: from as Mailbox, recipients };
}

export function sizeOf(command: SendMessageCommand): number {
  const textBytes = [command.subject, command.text ?? '', command.html ?? '']
    .map((part) => Buffer.byteLength(part, 'utf8'))
    .reduce((sum, bytes) => sum + bytes, 0);
  const attachmentBytes = command.attachments
    .map((attachment) => Buffer.byteLength(attachment.content, 'base64'))
    .reduce((sum, bytes) => sum + bytes, 0);
  return textBytes + attachmentBytes;
}
