/** RFC 3464 Action: what the reporting MTA did for one recipient. */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** One per-recipient block of a message/delivery-status part. */
export interface DsnRecipient {
  action: DsnAction | null;
  /** RFC 3463 enhanced status code, e.g. 5.1.1; null when absent or malformed. */
  status: string | null;
  /** The address after its type (`rfc822;`), as the reporting MTA wrote it. */
  finalRecipient: string | null;
  originalRecipient: string | null;
  /** e.g. `smtp; 550 5.1.1 <jane@example.net>: User unknown`; may name the address. */
  diagnosticCode: string | null;
  remoteMta: string | null;
}

export interface DeliveryStatusReport {
  reportingMta: string | null;
  recipients: DsnRecipient[];
}

/** Permanent (5.x.x): the address is gone; transient (4.x.x): it may work later. */
export type BounceClass = 'hard' | 'soft';

const ACTIONS: readonly DsnAction[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];
const STATUS = /^([245])\.(\d{1,3})\.(\d{1,3})\b/;
// Bounds what a hostile report can make us hold: real ones have a few blocks of a few lines.
const MAX_BLOCKS = 100;

/**
 * Reads the body of a message/delivery-status part: header-style fields in blocks separated
 * by blank lines, the first about the message, each later one about one recipient. Field
 * names are case-insensitive and long values fold onto indented lines (RFC 3464 section 2).
 */
export function parseDeliveryStatus(body: string): DeliveryStatusReport {
  const blocks = body
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map(fieldsOf)
    .filter((fields) => fields.size > 0)
    .slice(0, MAX_BLOCKS);
  const [message, ...recipients] = blocks;
  return {
    reportingMta: message?.get('reporting-mta') ?? null,
    recipients: recipients.map(recipientOf),
  };
}

/** The enhanced status code at the start of a value (`5.1.1`, `4.4.7 (delayed)`), or null. */
export function statusCodeOf(value: string | null | undefined): string | null {
  const match = value ? STATUS.exec(value.trim()) : null;
  return match ? `${match[1]}.${Number(match[2])}.${Number(match[3])}` : null;
}

/** Hard for 5.x.x, soft for 4.x.x; a 2.x.x status is no bounce at all. */
export function classOf(status: string): BounceClass | null {
  if (status.startsWith('5.')) {
    return 'hard';
  }
  return status.startsWith('4.') ? 'soft' : null;
}

function recipientOf(fields: Map<string, string>): DsnRecipient {
  const action = fields.get('action')?.toLowerCase().split(/[\s(]/)[0];
  return {
    action: ACTIONS.find((known) => known === action) ?? null,
    status: statusCodeOf(fields.get('status')),
    finalRecipient: addressOf(fields.get('final-recipient')),
    originalRecipient: addressOf(fields.get('original-recipient')),
    diagnosticCode: fields.get('diagnostic-code') ?? null,
    remoteMta: fields.get('remote-mta') ?? null,
  };
}

/** `rfc822; jane@example.net` -> `jane@example.net`; a value without a type stays whole. */
function addressOf(value: string | undefined): string | null {
  if (!value) {
    return null;
  }
  const semicolon = value.indexOf(';');
  const address = (semicolon >= 0 ? value.slice(semicolon + 1) : value).trim();
  return address.replace(/^<(.*)>$/, '$1') || null;
}

/** One block's fields by lower-cased name; folded lines joined; the first of a name wins. */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  const unfolded = block.replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    if (/^[a-z0-9-]+$/.test(name) && !fields.has(name)) {
      fields.set(name, line.slice(colon + 1).trim());
    }
  }
  return fields;
}
