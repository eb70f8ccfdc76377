/**
 * Just enough RFC 5322 / MIME handling to move header fields between the outer message and
 * the protected entity. Text is handled as latin1 strings: one char per byte, so 8-bit
 * header and body bytes pass through unchanged.
 */
export interface HeaderField {
  /** Lower-cased field name, for matching. */
  name: string;
  /** The field as written, folded lines included, without the final CRLF. */
  raw: string;
}

export interface MimeParts {
  headers: HeaderField[];
  body: string;
}

const CRLF = '\r\n';
/** RFC 2045 section 6.8: encoded lines are at most 76 characters. */
const BASE64_LINE_CHARS = 76;

/** The canonical form of RFC 5652 / RFC 8551 section 3.1.1: every line break is CRLF. */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, CRLF);
}

/** Splits a message (or entity) into its header fields and body, both in canonical form. */
export function splitMessage(mime: Buffer): MimeParts {
  const text = toCrlf(mime.toString('latin1'));
  const headerEnd = text.startsWith(CRLF) ? 0 : text.indexOf(CRLF + CRLF);
  // Without a blank line the whole text is header (RFC 5322 section 3.5: the body is optional).
  const block = headerEnd < 0 ? text.replace(/\r\n$/, '') : text.slice(0, headerEnd);
  const body = headerEnd < 0 ? '' : text.slice(headerEnd + (headerEnd === 0 ? 2 : 4));

  const headers: HeaderField[] = [];
  for (const line of block === '' ? [] : block.split(CRLF)) {
    const previous = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && previous) {
      previous.raw += CRLF + line;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new Error('the message header has a line that is not a header field');
    }
    headers.push({ name: line.slice(0, colon).trim().toLowerCase(), raw: line });
  }
  return { headers, body };
}

/** Header lines, a blank line, then the body: a complete message or entity. */
export function joinEntity(headerLines: string[], body: string): Buffer {
  return Buffer.from(headerLines.map((line) => line + CRLF).join('') + CRLF + body, 'latin1');
}

/** Base64 in lines of 76 characters, each ending in CRLF. */
export function base64Lines(data: Buffer): string {
  const encoded = data.toString('base64');
  const lines: string[] = [];
  for (let start = 0; start < encoded.length; start += BASE64_LINE_CHARS) {
    lines.push(encoded.slice(start, start + BASE64_LINE_CHARS));
  }
  return lines.map((line) => line + CRLF).join('');
}
