/** Why a call to an EHR failed; codes only, never response bodies (they can name a patient). */
export enum FhirFailure {
  /** No answer: refused, reset, timed out, 5xx. Worth retrying. */
  Unreachable = 'unreachable',
  /** The token endpoint or the FHIR server refused our credentials. */
  AuthRefused = 'auth_refused',
  /** 4xx on a write: the server will not take this resource as it is. */
  Rejected = 'rejected',
  /** The server offers no way for Sealpost to write Communications. */
  Unsupported = 'unsupported',
  /** Sealpost has no signing key or token to authenticate with. */
  NotConfigured = 'not_configured',
}

export class FhirConnectorError extends Error {
  constructor(
    readonly failure: FhirFailure,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'FhirConnectorError';
  }

  /** Whether a later attempt could succeed without anyone changing anything. */
  get retryable(): boolean {
    switch (this.failure) {
      case FhirFailure.Unreachable:
      case FhirFailure.AuthRefused:
        return true;
      case FhirFailure.Rejected:
      case FhirFailure.Unsupported:
      case FhirFailure.NotConfigured:
        return false;
    }
  }
}

/** Turns what fhir-kit-client or fetch threw into a FhirConnectorError, keeping no body. */
export function fhirFailureOf(error: unknown): FhirConnectorError {
  if (error instanceof FhirConnectorError) {
    return error;
  }
  const status = (error as { response?: { status?: number } } | null)?.response?.status;
  if (status === 401 || status === 403) {
    return new FhirConnectorError(
      FhirFailure.AuthRefused,
      `FHIR server answered ${status}`,
      status,
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new FhirConnectorError(FhirFailure.Rejected, `FHIR server answered ${status}`, status);
  }
  const detail = status === undefined ? 'no answer' : `answered ${status}`;
  return new FhirConnectorError(FhirFailure.Unreachable, `FHIR server ${detail}`, status);
}
