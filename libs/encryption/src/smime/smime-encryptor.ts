import { buildAuthEnvelopedData } from './cms-auth-enveloped-data.builder';
import { buildEnvelopedData } from './cms-enveloped-data.builder';
import { type CmsSigner } from './cms-signed-data.builder';
import { base64Lines, type HeaderField, joinEntity, splitMessage } from './mime-entity.util';
import { signMimeEntity } from './smime-signer';

/**
 * `enveloped-cbc`: EnvelopedData, AES-256-CBC, RSA PKCS#1 v1.5; every S/MIME client opens it.
 * `auth-enveloped-gcm`: AuthEnvelopedData, AES-256-GCM, RSA-OAEP/SHA-256; only for
 * recipients known to support both.
 */
export type SmimeMode = 'enveloped-cbc' | 'auth-enveloped-gcm';

export interface EncryptSmimeInput {
  /** A complete RFC 5322 message, as nodemailer's MailComposer builds it. */
  mime: Buffer;
  /** One certificate per recipient; all of them can open the message. */
  recipientCertPems: string[];
  mode: SmimeMode;
  /** The organisation's identity; when given the content is signed, then encrypted. */
  signer?: CmsSigner;
}

/**
 * The subject shown outside the encryption. The real subject may itself be PHI ("Your HIV
 * test results"), so it travels only as a header of the encrypted entity. Whether a client
 * shows that inner Subject after decrypting varies; the entity carries no RFC 9788 `hp`
 * markers yet.
 */
export const NEUTRAL_SUBJECT = 'Encrypted message';

/** Copied into the encrypted entity so that, once opened, it reads as the whole message. */
const PROTECTED_FIELDS = new Set(['subject', 'from', 'to', 'cc', 'reply-to', 'date', 'message-id']);

const CMS_BUILDERS: Record<SmimeMode, (content: Buffer, certPems: string[]) => Buffer> = {
  'enveloped-cbc': buildEnvelopedData,
  'auth-enveloped-gcm': buildAuthEnvelopedData,
};

const SMIME_TYPE: Record<SmimeMode, string> = {
  'enveloped-cbc': 'enveloped-data',
  // RFC 8551 section 3.2.2 spells it with a capital E.
  'auth-enveloped-gcm': 'authEnveloped-data',
};

/**
 * Encrypts a message with S/MIME (RFC 8551) and returns the complete message to send. The
 * outer header keeps the routing and tracking fields (From, To, Cc, Date, Message-ID,
 * Reply-To, X- fields) with a neutral Subject; the encrypted entity holds the original
 * Content-* fields, the body, and copies of Subject, From, To, Cc, Reply-To, Date and
 * Message-ID. Line breaks are made CRLF
 * before signing and encrypting, so content with `Content-Transfer-Encoding: binary`
 * is not supported (MailComposer never produces it).
 */
export function encryptSmime(input: EncryptSmimeInput): Buffer {
  if (input.recipientCertPems.length === 0) {
    throw new Error('S/MIME encryption needs at least one recipient certificate');
  }
  const { headers, body } = splitMessage(input.mime);

  let entity = joinEntity(innerHeaderLines(headers), body);
  if (input.signer) {
    entity = signMimeEntity(entity, input.signer);
  }

  const cms = CMS_BUILDERS[input.mode](entity, input.recipientCertPems);
  return joinEntity(outerHeaderLines(headers, input.mode), base64Lines(cms));
}

function isContentField(field: HeaderField): boolean {
  return field.name.startsWith('content-');
}

function innerHeaderLines(headers: HeaderField[]): string[] {
  const lines = headers
    .filter((field) => isContentField(field) || PROTECTED_FIELDS.has(field.name))
    .map((field) => field.raw);
  // Without it the entity would still be text/plain (RFC 2045 section 5.2), but spelled out
  // the default leaves no room for a client to guess.
  if (!headers.some((field) => field.name === 'content-type')) {
    lines.push('Content-Type: text/plain; charset=us-ascii');
  }
  return lines;
}

function outerHeaderLines(headers: HeaderField[], mode: SmimeMode): string[] {
  const kept = headers
    .filter((field) => !isContentField(field) && field.name !== 'mime-version')
    .map((field) => (field.name === 'subject' ? `Subject: ${NEUTRAL_SUBJECT}` : field.raw));
  if (!headers.some((field) => field.name === 'subject')) {
    kept.push(`Subject: ${NEUTRAL_SUBJECT}`);
  }
  return [
    ...kept,
    'MIME-Version: 1.0',
    `Content-Type: application/pkcs7-mime; smime-type=${SMIME_TYPE[mode]}; name=smime.p7m`,
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename=smime.p7m',
    'Content-Description: S/MIME Encrypted Message',
  ];
}
