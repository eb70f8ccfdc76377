import { type ErrorDetail, ErrorCode, SealpostError } from '@sealpost/core';
import {
  type Mailbox,
  parseMailbox,
  previewRecipients,
  type ProtectionPlanner,
  type RecipientPreview,
} from '@sealpost/messaging';

/** A draft as both preview routes take it (API clients and the Outlook add-in). */
export interface PreviewDraft {
  from: string;
  recipients: string[];
  subject: string;
  headers: Record<string, string>;
  text?: string;
  html?: string;
}

/** What each recipient of a draft would get now, and why; a 422 names a bad recipient. */
export async function previewDraft(
  planner: ProtectionPlanner,
  organisationId: string,
  draft: PreviewDraft,
): Promise<{ recipients: RecipientPreview[] }> {
  const recipients = await previewRecipients(
    planner,
    {
      organisationId,
      from: draft.from,
      subject: draft.subject,
      headers: draft.headers,
      text: draft.text,
      html: draft.html,
    },
    parseRecipients(draft.recipients),
  );
  return { recipients };
}

/** Every recipient as a mailbox, or a 422 naming each one that is not an address. */
function parseRecipients(values: readonly string[]): Mailbox[] {
  const mailboxes = values.map((value) => parseMailbox(value));
  const problems: ErrorDetail[] = mailboxes.flatMap((mailbox, index) =>
    mailbox ? [] : [{ path: `recipients[${index}]`, message: 'is not a valid email address' }],
  );
  if (problems.length) {
    throw new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', problems);
  }
  return mailboxes as Mailbox[];
}
