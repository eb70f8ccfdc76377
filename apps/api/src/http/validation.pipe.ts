import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type ErrorDetail, ErrorCode, SealpostError } from '@sealpost/core';

/**
 * class-validator with our error shape. Details name the field and the rule, never the
 * value, which may be PHI.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new SealpostError(ErrorCode.ValidationFailed, 'The request is not valid.', flatten(errors)),
  });
}

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}
