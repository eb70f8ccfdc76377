import { headerField } from '../messages/raw-mime';

/** What the gateway knows of one SMTP transaction, for its trace field. */
export interface SmtpTrace {
  /** The name the client gave in EHLO/HELO; false when it gave none. */
  heloName: string | false;
  /** The client's name by reverse DNS, or its bracketed address. */
  clientHostname: string;
  remoteAddress: string;
  /** This gateway's name. */
  by: string;
  /** RFC 3848 protocol: ESMTP, ESMTPS (TLS), ESMTPSA (TLS and AUTH)... */
  protocol: string;
  /** The session id, so a log line and a header can be matched. */
  id: string;
  at: Date;
}

/**
 * The Received field (RFC 5321 section 4.4) the gateway adds on top of a message it takes:
 * every SMTP server that relays a message must, and a receiver or admin reading the headers
 * then sees where the message entered. Names the client sent are reduced to the characters
 * a domain or address literal may hold; recipients are left out (Bcc must not show).
 */
export function receivedField(trace: SmtpTrace): string {
  const helo = trace.heloName ? safeName(trace.heloName) : 'unknown';
  const client = safeName(trace.clientHostname);
  const address = safeName(trace.remoteAddress);
  const value =
    `from ${helo} (${client} [${address}]) by ${safeName(trace.by)} (Sealpost) ` +
    `with ${safeName(trace.protocol)} id ${safeName(trace.id)}; ${rfc5322Date(trace.at)}`;
  return headerField('Received', value);
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9.:\-[\]_]/g, '') || 'unknown';
}

/** "Fri, 04 Dec 2026 22:10:05 +0000": toUTCString's form with a numeric zone. */
function rfc5322Date(at: Date): string {
  return at.toUTCString().replace(/ GMT$/, ' +0000');
}
