/** One header field exactly as written: folding kept, final CRLF left off. */
export interface HeaderField {
  /** As written; compare lower-cased. */
  name: string;
  raw: string;
}

/** An RFC 5322 message cut where RFC 3156 cuts it. */
export interface SplitMessage {
  /** Fields that stay on the outer message (From, To, Date, Message-ID, X-..., Subject). */
  envelope: HeaderField[];
  /** The MIME entity's own fields (Content-*), which move inside the encrypted part. */
  content: HeaderField[];
  body: Buffer;
}

const CRLF = '\r\n';

/**
 * Splits a composed message into envelope fields, content fields and body. MIME-Version is
 * dropped: the outer message writes its own, and it means nothing on an inner entity.
 *
 * The text is handled as latin1 so every byte survives the round trip unchanged; bare LFs
 * become CRLF because MIME's canonical form (and so what gets signed) uses CRLF.
 */
export function splitMimeMessage(mime: Buffer): SplitMessage {
  const text = mime.toString('latin1').replace(/\r?\n/g, CRLF);

  const headerEnd = text.startsWith(CRLF) ? 0 : text.indexOf(CRLF + CRLF);
  const headerBlock = headerEnd < 0 ? text : text.slice(0, headerEnd);
  const bodyStart = headerEnd === 0 ? CRLF.length : headerEnd + 2 * CRLF.length;
  const body = headerEnd < 0 ? '' : text.slice(bodyStart);

  const envelope: HeaderField[] = [];
  const content: HeaderField[] = [];
  for (const field of parseFields(headerBlock)) {
    const name = field.name.toLowerCase();
    if (name.startsWith('content-')) {
      content.push(field);
    } else if (name !== 'mime-version') {
      envelope.push(field);
    }
  }

  return { envelope, content, body: Buffer.from(body, 'latin1') };
}

function parseFields(headerBlock: string): HeaderField[] {
  const fields: HeaderField[] = [];
  if (headerBlock === '') {
    return fields;
  }

  for (const line of headerBlock.split(CRLF)) {
    const previous = fields[fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && previous) {
      previous.raw += CRLF + line;
      continue;
    }

    const colon = line.indexOf(':');
    if (colon <= 0) {
      // Never echo the line: header values can hold names and subjects.
      throw new Error('The message has a header line that is not a header field.');
    }
    fields.push({ name: line.slice(0, colon).trim(), raw: line });
  }
  return fields;
}
