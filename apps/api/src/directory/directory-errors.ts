import { ParseUUIDPipe } from '@nestjs/common';
import { ErrorCode, SealpostError } from '@sealpost/core';

export function invalidAddress(): SealpostError {
  return new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', [
    { path: 'address', message: 'is not a valid email address' },
  ]);
}

/** A malformed id is as unknown as a missing one: 404, not 400. */
export function notFoundId(what: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new SealpostError(ErrorCode.NotFound, `No such ${what}.`),
  });
}
