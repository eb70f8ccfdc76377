import { type ErrorDetail, ErrorCode, SealpostError } from '@sealpost/core';

/** Error factories of the contacts feature; messages name fields, never their values. */
export const contactErrors = {
  notFound: (what: string) => new SealpostError(ErrorCode.NotFound, `No such ${what}.`),
  invalid: (problems: ErrorDetail[], what = 'contact') =>
    new SealpostError(ErrorCode.ValidationFailed, `The ${what} is not valid.`, problems),
  emailTaken: () =>
    new SealpostError(
      ErrorCode.AlreadyExists,
      'Another contact of this organisation has that email address.',
      [{ path: 'email', message: 'is already used by another contact' }],
    ),
  fieldExists: () =>
    new SealpostError(ErrorCode.AlreadyExists, 'A contact field with that key already exists.', [
      { path: 'key', message: 'is already declared' },
    ]),
};

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } })
    .driverError;
  return driverError?.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}
