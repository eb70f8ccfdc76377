/** Why a server cannot be given mail over verified TLS. */
export type TlsProbeFailureCode =
  | 'no_starttls'
  | 'tls_version'
  | 'certificate_expired'
  | 'certificate_self_signed'
  | 'certificate_untrusted'
  | 'certificate_name_mismatch'
  | 'connect_failed'
  | 'timeout';

export interface TlsProbeFailure {
  readonly code: TlsProbeFailureCode;
  /** Names the host and the fact only; never a server reply, which may quote addresses. */
  readonly reason: string;
}

/** What one STARTTLS probe of an SMTP server found. */
export interface TlsProbeResult {
  readonly host: string;
  readonly port: number;
  /** The name the certificate was verified against. */
  readonly servername: string;
  readonly starttls: boolean;
  readonly tlsVersion?: string;
  readonly cipher?: string;
  readonly certificateVerified: boolean;
  /** REQUIRETLS (RFC 8689) advertised in the EHLO after the upgrade. */
  readonly requireTls: boolean;
  readonly failure?: TlsProbeFailure;
  readonly probedAt: Date;
}

/** Thrown inside a probe to stop it with a failure; never leaves the probe. */
export class TlsProbeAbort extends Error {
  constructor(
    readonly code: TlsProbeFailureCode,
    readonly reason: string,
    /** Whether STARTTLS had been offered when the probe stopped. */
    readonly starttls = false,
  ) {
    super(reason);
    this.name = 'TlsProbeAbort';
  }
}
