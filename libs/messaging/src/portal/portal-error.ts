/** Why a portal request was refused; the pages say so in plain words, never with PHI. */
export enum PortalErrorCode {
  LinkUnknown = 'link_unknown',
  LinkExpired = 'link_expired',
  LinkRevoked = 'link_revoked',
  LinkLocked = 'link_locked',
  CodeWrong = 'code_wrong',
  CodeExpired = 'code_expired',
  TooManyCodes = 'too_many_codes',
  CodeNotSent = 'code_not_sent',
  TooManyAttempts = 'too_many_attempts',
  SessionRequired = 'session_required',
  FormExpired = 'form_expired',
  ReplyInvalid = 'reply_invalid',
  NotFound = 'not_found',
}

/** The one error type of the portal; the api maps its code to a page and a status. */
export class PortalError extends Error {
  constructor(
    readonly code: PortalErrorCode,
    /** Wrong codes left before the link locks, for `code_wrong`. */
    readonly attemptsLeft?: number,
    /** For `too_many_*`: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(code);
    this.name = 'PortalError';
  }
}
