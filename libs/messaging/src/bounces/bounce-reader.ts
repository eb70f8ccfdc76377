import { simpleParser } from 'mailparser';
import {
  type BounceClass,
  classOf,
  type DsnRecipient,
  parseDeliveryStatus,
  statusCodeOf,
} from './delivery-status';

/** What a bounce says about the one recipient its return path names. */
export interface BounceFinding {
  /** RFC 3464 report, or a plain-text notice read by its SMTP reply (older MTAs). */
  format: 'rfc3464' | 'plain-text';
  status: string;
  class: BounceClass;
  diagnosticCode: string | null;
  /** The remote server's SMTP reply (`550 5.1.1 ...`) when the notice quotes one. */
  smtpReply: string | null;
  remoteMta: string | null;
  reportingMta: string | null;
}

// A report's status part comes before the returned message (RFC 6522), so the start of a
// large notice holds everything read here; the rest is not parsed at all.
export const MAX_PARSED_BYTES = 1024 * 1024;
// Diagnostics are a line or two; a longer one is cut rather than stored whole.
const MAX_DIAGNOSTIC_CHARS = 1000;
const MAILER = /mailer-daemon|postmaster|mail delivery/i;
const BOUNCE_SUBJECT =
  /undeliver|returned mail|delivery (status notification|failure|has failed)|failure notice/i;
// `550 5.1.1`, `550-5.1.1`, or a bare `550 ` reply; the first one in the notice counts.
const SMTP_REPLY = /\b([45])\d\d[ -](?:([45]\.\d{1,3}\.\d{1,3})\b)?/;

/** A notice read once, then asked about each return path it was sent to. */
export interface BounceNotice {
  /** The message/delivery-status part, when the notice is an RFC 3464 report. */
  report: string | null;
  /** A plain-text notice from a mailer daemon; null when the notice is no bounce at all. */
  plainText: string | null;
}

/**
 * Reads a notice received on a return path. An RFC 3464 multipart/report is read from its
 * message/delivery-status part; a plain-text notice only when it comes from a mailer daemon
 * or says it is one, which keeps out-of-office replies sent to the return path from
 * suppressing anyone.
 */
export async function readNotice(raw: Buffer): Promise<BounceNotice> {
  const mail = await simpleParser(raw.subarray(0, MAX_PARSED_BYTES), {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipImageLinks: true,
    skipTextLinks: true,
  });
  const statusPart = mail.attachments.find(
    (part) => part.contentType.toLowerCase() === 'message/delivery-status',
  );
  if (statusPart) {
    return { report: statusPart.content.toString('utf8'), plainText: null };
  }
  // Not the null sender: RFC 3834 asks out-of-office replies to use it too.
  const fromMailer = MAILER.test(mail.from?.text ?? '') || BOUNCE_SUBJECT.test(mail.subject ?? '');
  return { report: null, plainText: fromMailer ? (mail.text ?? '') : null };
}

/**
 * The failure a notice reports for one recipient address; null when it reports none
 * (delayed, relayed, delivered) or cannot be read as a bounce.
 */
export function findingFor(notice: BounceNotice, recipient: string): BounceFinding | null {
  if (notice.report !== null) {
    return fromReport(notice.report, recipient);
  }
  return notice.plainText !== null ? fromPlainText(notice.plainText) : null;
}

function fromReport(body: string, recipient: string): BounceFinding | null {
  const report = parseDeliveryStatus(body);
  const failed = report.recipients.filter((entry) => entry.action === 'failed');
  const address = recipient.toLowerCase();
  const named = failed.find((entry) =>
    [entry.originalRecipient, entry.finalRecipient].some((a) => a?.toLowerCase() === address),
  );
  // A forwarding address may have rewritten the recipient: the return path already names it.
  const entry = named ?? failed[0];
  if (!entry) {
    return null;
  }
  const status = entry.status ?? statusFromDiagnostic(entry) ?? '5.0.0';
  const bounceClass = classOf(status);
  return bounceClass
    ? {
        format: 'rfc3464',
        status,
        class: bounceClass,
        diagnosticCode: cut(entry.diagnosticCode),
        smtpReply: cut(
          /^smtp;\s*([245]\d\d[ -].*)$/i.exec(entry.diagnosticCode ?? '')?.[1] ?? null,
        ),
        remoteMta: entry.remoteMta,
        reportingMta: report.reportingMta,
      }
    : null;
}

/** A report without Status: the enhanced code in the SMTP reply, else the reply's class. */
function statusFromDiagnostic(entry: DsnRecipient): string | null {
  const reply = SMTP_REPLY.exec(entry.diagnosticCode ?? '');
  return reply ? (statusCodeOf(reply[2]) ?? `${reply[1]}.0.0`) : null;
}

function fromPlainText(text: string): BounceFinding | null {
  const line = text.split('\n').find((candidate) => SMTP_REPLY.test(candidate));
  const reply = line ? SMTP_REPLY.exec(line) : null;
  if (!line || !reply) {
    return null;
  }
  const status = statusCodeOf(reply[2]) ?? `${reply[1]}.0.0`;
  const bounceClass = classOf(status);
  return bounceClass
    ? {
        format: 'plain-text',
        status,
        class: bounceClass,
        diagnosticCode: cut(line.trim()),
        smtpReply: cut(line.slice(reply.index).trim()),
        remoteMta: null,
        reportingMta: null,
      }
    : null;
}

function cut(value: string | null): string | null {
  return value && value.length > MAX_DIAGNOSTIC_CHARS
    ? value.slice(0, MAX_DIAGNOSTIC_CHARS)
    : value;
}
