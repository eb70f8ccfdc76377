/** Stable, machine-readable error codes. Clients switch on these; never rename one. */
export enum ErrorCode {
  InvalidJson = 'invalid_json',
  ValidationFailed = 'validation_failed',
  TooManyRecipients = 'too_many_recipients',
  PayloadTooLarge = 'payload_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  Unauthenticated = 'unauthenticated',
  InsufficientScope = 'insufficient_scope',
  NotFound = 'not_found',
  IdempotencyKeyReused = 'idempotency_key_reused',
  AlreadyExists = 'already_exists',
  MissingValue = 'missing_value',
  InvalidValue = 'invalid_value',
  InvalidState = 'invalid_state',
  InternalError = 'internal_error',
  ServiceUnavailable = 'service_unavailable',
  AccountLocked = 'account_locked',
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.InvalidJson:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.InsufficientScope:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.IdempotencyKeyReused:
    case ErrorCode.AlreadyExists:
    case ErrorCode.InvalidState:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.AccountLocked:
      return 423;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.ValidationFailed:
    case ErrorCode.TooManyRecipients:
    case ErrorCode.MissingValue:
    case ErrorCode.InvalidValue:
      return 422;
    case ErrorCode.InternalError:
      return 500;
    case ErrorCode.ServiceUnavailable:
      return 503;
  }
}
