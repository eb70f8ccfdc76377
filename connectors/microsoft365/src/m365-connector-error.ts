/** Why a call to Microsoft failed; codes and statuses only, never response bodies. */
export enum M365Failure {
  /** No answer, 5xx, or throttled past our retries. Worth retrying later. */
  Unreachable = 'unreachable',
  /** The token endpoint refused the credentials, or Graph answered 401/403. */
  AuthRefused = 'auth_refused',
  /** Graph refused the request as it is (4xx). */
  Rejected = 'rejected',
  /** A delta link Graph no longer knows: the caller must start a full sync. */
  DeltaExpired = 'delta_expired',
  /** The organisation has no (enabled) Microsoft 365 connection. */
  NotConfigured = 'not_configured',
}

export class M365ConnectorError extends Error {
  constructor(
    readonly failure: M365Failure,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'M365ConnectorError';
  }
}

interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
}

// Directory delta links expire after seven days: Graph answers 410 Gone (resyncRequired) or,
// for identity resources, 400 with syncStateNotFound. Either way the state must be rebuilt.
const EXPIRED_DELTA_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);

/** Turns what the Graph client threw into an M365ConnectorError; keeps status and code only. */
export function m365FailureOf(error: unknown): M365ConnectorError {
  if (error instanceof M365ConnectorError) {
    return error;
  }
  const { statusCode, code } = (error ?? {}) as GraphErrorLike;
  const status = typeof statusCode === 'number' && statusCode > 0 ? statusCode : undefined;
  const graphCode = typeof code === 'string' ? code : 'none';
  if (status === 410 || EXPIRED_DELTA_CODES.has(graphCode.toLowerCase())) {
    return new M365ConnectorError(M365Failure.DeltaExpired, `Graph delta expired (${graphCode})`);
  }
  if (status === 401 || status === 403) {
    return new M365ConnectorError(
      M365Failure.AuthRefused,
      `Graph answered ${status} (${graphCode})`,
      status,
    );
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new M365ConnectorError(
      M365Failure.Rejected,
      `Graph answered ${status} (${graphCode})`,
      status,
    );
  }
  const detail = status === undefined ? 'gave no answer' : `answered ${status}`;
  return new M365ConnectorError(M365Failure.Unreachable, `Graph ${detail}`, status);
}
