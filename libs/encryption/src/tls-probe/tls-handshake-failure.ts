import { TlsProbeAbort } from './tls-probe-result';

const EXPIRED = new Set(['CERT_HAS_EXPIRED']);
const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const NAME_MISMATCH = new Set(['ERR_TLS_CERT_ALTNAME_INVALID']);
// What OpenSSL reports, depending on the side that notices first, when the server's highest
// version is below our minimum.
const OLD_VERSION = new Set([
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
]);
// Every other X.509 verification failure (unknown issuer, bad signature, not yet valid, ...).
const UNTRUSTED = /CERT|UNABLE_TO_|SIGNATURE|ISSUER|CHAIN/;

/** Maps an error of the TLS upgrade onto a probe failure whose reason names host and fact. */
export function classifyHandshakeError(error: unknown, name: string): TlsProbeAbort {
  const raw = (error as { code?: unknown } | undefined)?.code;
  const code = typeof raw === 'string' ? raw : '';
  if (EXPIRED.has(code)) {
    return new TlsProbeAbort(
      'certificate_expired',
      `${name} presented an expired certificate`,
      true,
    );
  }
  if (SELF_SIGNED.has(code)) {
    const reason = `${name} presented a self-signed certificate`;
    return new TlsProbeAbort('certificate_self_signed', reason, true);
  }
  if (NAME_MISMATCH.has(code)) {
    const reason = `${name} presented a certificate for another name`;
    return new TlsProbeAbort('certificate_name_mismatch', reason, true);
  }
  if (OLD_VERSION.has(code)) {
    return new TlsProbeAbort('tls_version', `${name} offers no TLS version of 1.2 or later`, true);
  }
  if (UNTRUSTED.test(code)) {
    const reason = `${name} presented a certificate that is not trusted (${code})`;
    return new TlsProbeAbort('certificate_untrusted', reason, true);
  }
  const detail = code || 'connection closed';
  return new TlsProbeAbort('connect_failed', `TLS handshake with ${name} failed (${detail})`, true);
}
