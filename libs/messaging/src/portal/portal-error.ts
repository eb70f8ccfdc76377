/** Why a portal request was refused; the pages say so in plain words, never with PHI. */
export enum PortalErrorCode {
  LinkUnknown = 'link_unknown',
  LinkExpired = 'link_expired',
  LinkRevoked = 'link_revoked',
  LinkLocked = 'link_locked',
  CodeWrong = 'code_wrong',
  CodeExpired = 'code_expired',
  PassphraseWrong = 'passphrase_wrong',
  TooManyCodes = 'too_many_codes',
  CodeNotSent = 'code_not_sent',
  TooManyAttempts = 'too_many_attempts',
  SessionRequired = 'session_required',
  FormExpired = 'form_expired',
  ReplyInvalid = 'reply_invalid',
  NotFound = 'not_found',
}

export interface PortalErrorDetails {
  /** Wrong answers left before the link locks, for `code_wrong` and `passphrase_wrong`. */
  attemptsLeft?: number;
  /** For `too_many_*`: when to try again. */
  retryAfterSeconds?: number;
  /** Whether the page asking again should offer the sender's passphrase too. */
  hasPassphrase?: boolean;
}

/** The one error type of the portal; the api maps its code to a page and a status. */
export class PortalError extends Error {
  constructor(
    readonly code: PortalErrorCode,
    readonly details: PortalErrorDetails = {},
  ) {
    super(code);
    this.name = 'PortalError';
  }
}
