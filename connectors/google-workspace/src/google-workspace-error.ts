/** Why a call to Google failed; codes and statuses only, never response bodies. */
export enum GoogleFailure {
  /** No answer, a 5xx, or 429 after every retry. Worth trying again later. */
  Unreachable = 'unreachable',
  /** The token endpoint refused the service account (key revoked, delegation not granted). */
  AuthRefused = 'auth_refused',
  /** The API refused the delegated user or scope (403), or the mailbox has no Gmail. */
  Forbidden = 'forbidden',
  /** Gmail no longer has the history asked for (404 on startHistoryId): a full sync follows. */
  HistoryExpired = 'history_expired',
  /** Any other 4xx: the request as it is will not be taken. */
  Rejected = 'rejected',
}

export class GoogleWorkspaceError extends Error {
  constructor(
    readonly failure: GoogleFailure,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GoogleWorkspaceError';
  }

  /** The short form kept as a connection's or mailbox's last error: no body, no address. */
  get summary(): string {
    return this.httpStatus === undefined ? this.failure : `${this.failure} (${this.httpStatus})`;
  }
}

/** The HTTP status of what gaxios (or anything else) threw, when there was an answer. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown; response?: { status?: unknown } } | null)?.response
    ?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Whether an error came from a request to Google (gaxios errors carry the request config). */
export function isGoogleCallError(error: unknown): boolean {
  return (
    error instanceof GoogleWorkspaceError ||
    (typeof error === 'object' && error !== null && ('config' in error || 'response' in error))
  );
}

/**
 * Turns what googleapis or google-auth-library threw into a GoogleWorkspaceError. Their
 * messages can quote the request (an address in a path), so only the status is kept.
 */
export function googleFailureOf(error: unknown, tokenUrl: string): GoogleWorkspaceError {
  if (error instanceof GoogleWorkspaceError) {
    return error;
  }
  const status = statusOf(error);
  const url = (error as { config?: { url?: unknown } } | null)?.config?.url;
  const href = url instanceof URL ? url.href : typeof url === 'string' ? url : undefined;
  const during = href !== undefined && href === tokenUrl ? 'token' : 'api';
  const where = during === 'token' ? 'Google token endpoint' : 'Google API';
  if (status === undefined || status >= 500 || status === 429 || status === 408) {
    const detail = status === undefined ? 'did not answer' : `answered ${status}`;
    return new GoogleWorkspaceError(GoogleFailure.Unreachable, `${where} ${detail}`, status);
  }
  if (during === 'token' || status === 401) {
    const message = `${where} answered ${status}`;
    return new GoogleWorkspaceError(GoogleFailure.AuthRefused, message, status);
  }
  if (status === 403) {
    return new GoogleWorkspaceError(GoogleFailure.Forbidden, `${where} answered 403`, status);
  }
  return new GoogleWorkspaceError(GoogleFailure.Rejected, `${where} answered ${status}`, status);
}
