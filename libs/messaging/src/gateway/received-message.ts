import { createHash } from 'node:crypto';
import { type AddressObject, simpleParser } from 'mailparser';
import { parseMailbox } from '../messages/mailbox';
import { fieldName, headerField, prependFields, splitRawHeaders } from '../messages/raw-mime';
import { type SendMessageCommand } from '../messages/send-message.command';

/** The SMTP envelope of one received message, as the gateway accepted it. */
export interface ReceivedEnvelope {
  /** MAIL FROM; empty for the null sender. */
  mailFrom: string;
  /** RCPT TO, each already checked to be one valid mailbox. */
  rcptTo: string[];
}

/** Why a received message cannot be taken as it is; never quotes the message. */
export class MalformedMessageError extends Error {}

export const GATEWAY_STAMP_HEADER = 'X-Sealpost-Gateway';
const ENCRYPT_HEADER = 'x-sealpost-encrypt';
export const GATEWAY_TAG = 'smtp-gateway';

export interface ReadMessage {
  command: SendMessageCommand;
  /** Same bytes and envelope, same key: a client retrying after a lost reply is deduplicated. */
  idempotencyKey: string;
  requestHash: string;
  /** The message's own Message-ID header, for the gateway's receipt (see GatewayReceipts). */
  originMessageId?: string;
}

/**
 * Turns a message received by the gateway into the command AcceptMessage stores. The original
 * bytes travel on (with our stamp on top); subject, bodies and attachments are read from them
 * for the policy and the portal. Envelope recipients decide who gets a copy; each is `to` or
 * `cc` when the header lists it, else `bcc`.
 */
export async function readReceivedMessage(
  raw: Buffer,
  envelope: ReceivedEnvelope,
  stamp: string,
  /** The gateway's Received field, which goes on top of everything. */
  received?: string,
): Promise<ReadMessage> {
  const block = splitRawHeaders(raw);
  if (!block) {
    throw new MalformedMessageError('the header block is not a list of header fields');
  }
  const parsed = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    keepCidLinks: true,
  }).catch(() => {
    throw new MalformedMessageError('the MIME structure cannot be read');
  });
  const from = fromOf(parsed.from) ?? parseMailbox(envelope.mailFrom)?.address;
  if (!from) {
    throw new MalformedMessageError('the message has no valid From and no envelope sender');
  }
  const listed = (field: AddressObject | AddressObject[] | undefined) =>
    new Set(addressesOf(field).map((address) => address.toLowerCase()));
  const inTo = listed(parsed.to);
  const inCc = listed(parsed.cc);
  const kindOf = (rcpt: string) =>
    inTo.has(rcpt.toLowerCase()) ? 'to' : inCc.has(rcpt.toLowerCase()) ? 'cc' : 'bcc';
  const encrypt = block.fields.find((field) => fieldName(field) === ENCRYPT_HEADER);

  const ours = [headerField(GATEWAY_STAMP_HEADER, stamp)];
  const stamped = prependFields(raw, received ? [received, ...ours] : ours);
  // The key is the bytes and the envelope: a client resending after a lost reply sends both
  // again unchanged, while two messages alike but for their body (or without Message-IDs)
  // stay two messages.
  const bytesHash = createHash('sha256').update(raw).digest('base64url');
  return {
    command: {
      from,
      to: envelope.rcptTo.filter((rcpt) => kindOf(rcpt) === 'to'),
      cc: envelope.rcptTo.filter((rcpt) => kindOf(rcpt) === 'cc'),
      bcc: envelope.rcptTo.filter((rcpt) => kindOf(rcpt) === 'bcc'),
      subject: parsed.subject ?? '',
      text: parsed.text,
      html: typeof parsed.html === 'string' ? parsed.html : undefined,
      headers: encrypt
        ? {
            'X-Sealpost-Encrypt': encrypt
              .slice(encrypt.indexOf(':') + 1)
              .replace(/\s+/g, ' ')
              .trim(),
          }
        : {},
      attachments: parsed.attachments.map((attachment) => ({
        filename: attachment.filename ?? 'attachment',
        contentType: attachment.contentType,
        content: attachment.content.toString('base64'),
      })),
      tags: [GATEWAY_TAG],
      metadata: {},
      // The original bytes are delivered untouched: no pixel, no rewritten links.
      tracking: false,
      raw: stamped.toString('latin1'),
    },
    idempotencyKey: `smtp:${digest([bytesHash, envelope.mailFrom, ...envelope.rcptTo])}`,
    requestHash: bytesHash,
    originMessageId: parsed.messageId,
  };
}

function fromOf(field: AddressObject | undefined): string | undefined {
  const [first] = field?.value ?? [];
  if (!first?.address || field?.value.length !== 1) {
    return undefined;
  }
  const name = first.name.replace(/["\\\r\n]/g, '').trim();
  const formatted = name ? `"${name}" <${first.address}>` : first.address;
  return parseMailbox(formatted) ? formatted : undefined;
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const flatten = (entries: AddressObject['value']): string[] =>
    entries.flatMap((entry) => [
      ...(entry.address ? [entry.address] : []),
      ...flatten(entry.group ?? []),
    ]);
  return objects.flatMap((object) => flatten(object.value));
}

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url');
}
