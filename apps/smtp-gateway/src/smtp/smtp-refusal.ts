/** Why the gateway refused something: the log field, and the key of its SMTP reply. */
export type RefusalReason =
  | 'tls_required'
  | 'auth_required'
  | 'auth_failed'
  | 'auth_throttled'
  | 'auth_unavailable'
  | 'sender_invalid'
  | 'sender_not_allowed'
  | 'sender_ambiguous'
  | 'relay_denied'
  | 'recipient_invalid'
  | 'too_many_recipients'
  | 'mixed_transaction'
  | 'too_big'
  | 'malformed'
  | 'loop'
  | 'storage_unavailable';

/**
 * An SMTP error reply with its RFC 3463 enhanced status code written into the text (the
 * server's automatic codes are too coarse: 550 would always say 5.1.1, "no such mailbox").
 * The text never quotes addresses or content.
 */
export class SmtpRefusal extends Error {
  readonly responseCode: number;

  constructor(readonly reason: RefusalReason) {
    const [code, enhanced, text] = REPLIES[reason];
    super(`${enhanced} ${text}`);
    this.responseCode = code;
  }
}

const REPLIES: Record<RefusalReason, [number, string, string]> = {
  tls_required: [530, '5.7.0', 'Must issue a STARTTLS command first'],
  auth_required: [
    530,
    '5.7.0',
    'Authentication required: this host is not in a sender range of any organisation',
  ],
  auth_failed: [535, '5.7.8', 'Authentication credentials invalid'],
  // 421 closes the connection, so the client cannot keep guessing on it.
  auth_throttled: [
    421,
    '4.7.0',
    'Too many failed authentications from this address; try again later',
  ],
  auth_unavailable: [454, '4.7.0', 'Temporary authentication failure; try again later'],
  sender_invalid: [553, '5.1.7', 'The sender address is not a valid mailbox'],
  sender_not_allowed: [
    550,
    '5.7.1',
    'Sender domain not allowed from this host; authenticate or ask your administrator',
  ],
  sender_ambiguous: [
    550,
    '5.7.1',
    'This host and sender match several organisations; use SMTP AUTH to say which',
  ],
  relay_denied: [
    554,
    '5.7.1',
    'Relaying denied: authenticate, or connect from a configured sender range',
  ],
  recipient_invalid: [553, '5.1.3', 'The recipient address is not a valid mailbox'],
  too_many_recipients: [452, '4.5.3', 'Too many recipients; send the rest in another message'],
  mixed_transaction: [
    452,
    '4.5.3',
    'Bounce and outgoing recipients cannot share a message; send them separately',
  ],
  too_big: [552, '5.3.4', 'Message too big for this gateway'],
  malformed: [550, '5.6.0', 'Malformed message: the header or MIME structure cannot be read'],
  loop: [
    554,
    '5.4.6',
    'Routing loop detected: this message already passed through this Sealpost installation',
  ],
  storage_unavailable: [451, '4.3.0', 'Temporary failure storing the message; try again later'],
};
