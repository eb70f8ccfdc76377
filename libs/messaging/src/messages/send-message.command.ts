import { type AttachmentContent } from './message-content';

/** A message to send, as the API, gateway or a workflow hands it to AcceptMessage. */
export interface SendMessageCommand {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo?: string;
  subject: string;
  text?: string;
  html?: string;
  headers: Record<string, string>;
  attachments: AttachmentContent[];
  tags: string[];
  metadata: Record<string, string>;
  /** false turns open and click tracking off for this message. */
  tracking?: boolean;
  /** The original message (latin1) when the SMTP gateway received it; see MessageContent. */
  raw?: string;
}

export interface AcceptedRecipient {
  id: string;
  address: string;
  kind: 'to' | 'cc' | 'bcc';
  status: string;
}

export interface AcceptedMessage {
  id: string;
  status: 'accepted';
  createdAt: string;
  recipients: AcceptedRecipient[];
}

export interface IdempotencyRequest {
  key: string;
  requestHash: string;
}

export interface AcceptResult {
  message: AcceptedMessage;
  /** True when an Idempotency-Key matched an earlier identical request. */
  replayed: boolean;
}
