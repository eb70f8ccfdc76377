import { randomBytes } from 'node:crypto';
import { createMessage, encrypt, type PublicKey } from 'openpgp';
import { type HeaderField, splitMimeMessage } from './mime-message-splitter';
import { readEncryptionKey } from './pgp-public-key-reader';
import { type PgpSigningKey, readSigningKey } from './pgp-signing-key-reader';

export interface PgpMimeInput {
  /** A complete RFC 5322 message, as nodemailer's MailComposer builds it. */
  mime: Buffer;
  /** Armored public keys of the recipient (usually one). */
  recipientKeys: string[];
  /** The organisation's archive key, so its records stay readable. */
  archiveKey?: string;
  /** When given, the message is signed inside the encryption (RFC 3156 section 6.2). */
  signingKey?: PgpSigningKey;
  /** Replaces the Subject on the outside; the real one travels encrypted. */
  outerSubject?: string;
  /** Reads and verifies an armored key; VerifiedPgpKeys remembers the verdicts. */
  readKey?: (armored: string) => Promise<PublicKey>;
}

const CRLF = '\r\n';

/** Neutral on purpose: a subject can name a patient or a diagnosis. */
const DEFAULT_OUTER_SUBJECT = 'Encrypted message';

/**
 * User-facing fields copied into the encrypted entity (the "protected headers" convention),
 * so a capable client shows the real Subject and can check From/To were not altered.
 */
const PROTECTED_FIELDS = new Set([
  'subject',
  'from',
  'to',
  'cc',
  'reply-to',
  'date',
  'message-id',
  'in-reply-to',
  'references',
]);

/**
 * Turns a composed message into a PGP/MIME message (RFC 3156): the envelope fields stay
 * outside, the MIME entity (with protected copies of the envelope fields) is encrypted to
 * every recipient key and the archive key in one OpenPGP message, and signed first when a
 * signing key is given.
 */
export async function encryptPgpMime(input: PgpMimeInput): Promise<Buffer> {
  if (input.recipientKeys.length === 0) {
    throw new Error('A PGP/MIME message needs at least one recipient key.');
  }

  const readKey = input.readKey ?? ((armored: string) => readEncryptionKey(armored));
  const armoredKeys = [...input.recipientKeys, ...(input.archiveKey ? [input.archiveKey] : [])];
  const encryptionKeys = uniqueByFingerprint(
    await Promise.all(armoredKeys.map((armored) => readKey(armored))),
  );
  const signingKeys = input.signingKey ? [await readSigningKey(input.signingKey)] : [];

  const { envelope, content, body } = splitMimeMessage(input.mime);
  const inner = Buffer.concat([Buffer.from(innerHeader(envelope, content), 'latin1'), body]);

  // One signed-and-encrypted OpenPGP message (section 6.2) rather than multipart/signed
  // inside (section 6.1): `gpg --decrypt` then checks the signature itself, and every
  // client that decrypts PGP/MIME verifies this form.
  // format 'object' because the armored overload's stream-dependent type defeats the linter.
  const encrypted = await encrypt({
    message: await createMessage({ binary: new Uint8Array(inner), format: 'binary' }),
    encryptionKeys,
    signingKeys,
    format: 'object',
  });
  const armored = encrypted.armor();

  const subject = input.outerSubject ?? DEFAULT_OUTER_SUBJECT;
  return Buffer.from(outerMessage(envelope, subject, armored), 'latin1');
}

function innerHeader(envelope: HeaderField[], content: HeaderField[]): string {
  const copies = envelope.filter((field) => PROTECTED_FIELDS.has(field.name.toLowerCase()));

  const contentType = content.find((field) => field.name.toLowerCase() === 'content-type');
  const others = content.filter((field) => field !== contentType);
  // RFC 2045: a part without Content-Type is plain US-ASCII text.
  const typeLine = contentType?.raw ?? 'Content-Type: text/plain; charset=us-ascii';

  const lines = [
    ...copies.map((field) => field.raw),
    `${typeLine};${CRLF} protected-headers="v1"`,
    ...others.map((field) => field.raw),
  ];
  return lines.join(CRLF) + CRLF + CRLF;
}

function outerMessage(envelope: HeaderField[], subject: string, armored: string): string {
  const boundary = `sealpost-pgp-${randomBytes(16).toString('hex')}`;
  const fields = envelope
    .filter((field) => field.name.toLowerCase() !== 'subject')
    .map((field) => field.raw);

  return [
    ...fields,
    `Subject: ${encodeSubject(subject)}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";${CRLF}` +
      ` boundary="${boundary}"`,
    '',
    'This is an OpenPGP/MIME encrypted message (RFC 3156).',
    `--${boundary}`,
    'Content-Type: application/pgp-encrypted',
    'Content-Description: PGP/MIME version identification',
    '',
    'Version: 1',
    '',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="encrypted.asc"',
    'Content-Description: OpenPGP encrypted message',
    'Content-Disposition: inline; filename="encrypted.asc"',
    '',
    armored.replace(/\r?\n/g, CRLF).trimEnd(),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/** A one-line header value: line breaks would inject fields; non-ASCII needs RFC 2047. */
function encodeSubject(subject: string): string {
  const line = subject.replace(/[\r\n]+/g, ' ').trim();
  return /^[\x20-\x7e]*$/.test(line)
    ? line
    : `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

/** The archive key may also be a recipient's; one session key packet per key is enough. */
function uniqueByFingerprint(keys: PublicKey[]): PublicKey[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const fingerprint = key.getFingerprint();
    if (seen.has(fingerprint)) {
      return false;
    }
    seen.add(fingerprint);
    return true;
  });
}
