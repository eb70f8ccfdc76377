import { ErrorCode, httpStatusOf } from './error-code';

// Typed as a Record so that a new ErrorCode without a row here fails to compile.
const EXPECTED_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.InvalidJson]: 400,
  [ErrorCode.ValidationFailed]: 422,
  [ErrorCode.TooManyRecipients]: 422,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.InsufficientScope]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.IdempotencyKeyReused]: 409,
  [ErrorCode.AlreadyExists]: 409,
  [ErrorCode.MissingValue]: 422,
  [ErrorCode.InvalidValue]: 422,
  [ErrorCode.InvalidState]: 409,
  [ErrorCode.InternalError]: 500,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.AccountLocked]: 423,
};

describe('httpStatusOf', () => {
  it.each(Object.values(ErrorCode))('maps %s to its documented status', (code) => {
    expect(httpStatusOf(code)).toBe(EXPECTED_STATUS[code]);
  });

  it('gives a 4xx status to every client error and 5xx only to server errors', () => {
    const serverSide = new Set([ErrorCode.InternalError, ErrorCode.ServiceUnavailable]);

    for (const code of Object.values(ErrorCode)) {
      const status = httpStatusOf(code);
      expect(status >= 500).toBe(serverSide.has(code));
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });
});
