import { ErrorCode, SealpostError } from '@sealpost/core';

export type TemplateErrorCode = ErrorCode.MissingValue | ErrorCode.InvalidValue;

/**
 * A template that cannot be rendered for one contact: a value it references is missing, or
 * is not what its helper needs. Names the variable path, never its value, so the message may
 * be recorded as a step's reason and shown by the API.
 */
export class TemplateError extends SealpostError {
  constructor(
    override readonly code: TemplateErrorCode,
    /** The variable, such as `contact.fields.appointment_at`. */
    readonly path: string,
    message: string,
  ) {
    super(code, message, [{ path, message }]);
    this.name = 'TemplateError';
  }

  static missing(path: string): TemplateError {
    return new TemplateError(
      ErrorCode.MissingValue,
      path,
      `The template uses ${path}, which has no value for this contact.`,
    );
  }

  static invalid(path: string, why: string): TemplateError {
    return new TemplateError(ErrorCode.InvalidValue, path, `${path} ${why}.`);
  }
}
