import { randomBytes } from 'node:crypto';

export interface MessageBody {
  from: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  text?: string;
  html?: string;
  tags?: string[];
  metadata?: Record<string, string>;
  [extra: string]: unknown;
}

export function randomToken(): string {
  return randomBytes(6).toString('hex');
}

export function anAddress(domain = 'example.test'): string {
  return `patient-${randomToken()}@${domain}`;
}

/** A valid POST /v1/messages body with random addresses, subject and text. */
export function aMessageBody(overrides: Partial<MessageBody> = {}): MessageBody {
  return {
    from: `Clinic <clinic-${randomToken()}@example.org>`,
    to: [anAddress()],
    subject: `Results ${randomToken()}`,
    text: `Your results ${randomToken()} are ready.`,
    ...overrides,
  };
}
