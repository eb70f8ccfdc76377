/** A portal reply on its way back to the original sender. */
export interface MailboxReply {
  /** The original sender. */
  to: string;
  /** The portal recipient who replied. */
  replyTo: string;
  subject: string;
  text: string;
}

/**
 * Puts a portal reply straight into the sender's mailbox (bound by a mail-suite connector,
 * e.g. Microsoft 365). Answers the mailbox's message id, or null when the sender has no
 * mailbox it can reach, so the reply goes by mail instead.
 */
export abstract class MailboxReplies {
  abstract deliver(organisationId: string, reply: MailboxReply): Promise<string | null>;
}
