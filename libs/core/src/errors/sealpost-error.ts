import { type ErrorCode } from './error-code';

/** One problem with one field of a request; `path` names the field, never its value. */
export interface ErrorDetail {
  path: string;
  message: string;
  /** A finer machine-readable reason where one exists (e.g. a workflow definition's). */
  code?: string;
  /** The workflow step a definition problem belongs to. */
  stepId?: string | null;
}

/**
 * The one error type that crosses module boundaries. Its message is shown to API clients,
 * so it must never carry PHI (addresses, subjects, bodies) or internals.
 */
export class SealpostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'SealpostError';
  }
}
