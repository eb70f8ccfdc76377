import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';

/** A received RFC 5322 message cut into its header fields and the rest, bytes untouched. */
export interface RawHeaderBlock {
  /** Each field as written, folding kept, without its final line break. */
  fields: string[];
  /** The line break the message uses (CRLF, or LF from a lax client). */
  newline: string;
  /** Everything from the empty line on, as received. */
  rest: Buffer;
}

/**
 * Cuts a message at its first empty line; latin1 keeps every byte as it was. Null when the
 * header block is not a list of fields, which is what "malformed" means for a message we
 * must keep intact.
 */
export function splitRawHeaders(raw: Buffer): RawHeaderBlock | null {
  // Only the header block is decoded: the body can be megabytes and is never looked at.
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const usesCrlf = crlf >= 0 && (lf < 0 || crlf < lf);
  const end = usesCrlf ? crlf : lf;
  const newline = usesCrlf ? '\r\n' : '\n';
  const headerText =
    end >= 0 ? raw.toString('latin1', 0, end) : raw.toString('latin1').replace(/\r?\n$/, '');
  const fields: string[] = [];
  for (const line of headerText.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) {
      fields[fields.length - 1] += newline + line;
    } else if (/^[!-9;-~]+:/.test(line)) {
      fields.push(line);
    } else {
      return null;
    }
  }
  const rest = end >= 0 ? raw.subarray(end) : Buffer.from(newline);
  return fields.length ? { fields, newline, rest } : null;
}

export function joinRawHeaders(block: RawHeaderBlock): Buffer {
  return Buffer.concat([Buffer.from(block.fields.join(block.newline), 'latin1'), block.rest]);
}

export function fieldName(field: string): string {
  return field.slice(0, field.indexOf(':')).trim().toLowerCase();
}

/** One header field of our own, folded and RFC 2047-encoded when it is not plain ASCII. */
export function headerField(name: string, value: string): string {
  return foldLines(`${name}: ${encodeWords(value, 'Q', 52)}`, 76).replace(/\r?\n$/, '');
}

/** Puts fields of ours on top (where trace fields go), leaving the sender's fields as written. */
export function prependFields(raw: Buffer, fields: string[]): Buffer {
  const block = splitRawHeaders(raw);
  if (!block) {
    throw new Error('The message has a header line that is not a header field.');
  }
  return joinRawHeaders({ ...block, fields: [...fields, ...block.fields] });
}

// Fields for senders and Sealpost only: Bcc must never travel, and X-Sealpost-Encrypt is an
// instruction to us (set by the add-ins) that tells a recipient nothing.
const NOT_DELIVERED = new Set(['bcc', 'x-sealpost-encrypt']);

/** Whether a header field of this name goes to recipients (composed or raw copies alike). */
export function isDeliveredField(name: string): boolean {
  return !NOT_DELIVERED.has(name.trim().toLowerCase());
}

/**
 * The copy of a gateway message a recipient receives: the original bytes, except for the
 * fields that are not delivered, and the Subject rewritten only when the policy cut a tag out.
 */
export function rawForDelivery(raw: Buffer, subjectAfterTags: string | null): Buffer {
  const block = splitRawHeaders(raw);
  if (!block) {
    throw new Error('The message has a header line that is not a header field.');
  }
  const fields = block.fields
    .filter((field) => isDeliveredField(fieldName(field)))
    .map((field) =>
      subjectAfterTags !== null && fieldName(field) === 'subject'
        ? headerField('Subject', subjectAfterTags).replace(/\r?\n/g, block.newline)
        : field,
    );
  return joinRawHeaders({ ...block, fields });
}
