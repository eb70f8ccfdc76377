/**
 * Why a recipient certificate, or the organisation's signing identity, was refused. Stable:
 * clients switch on these, never rename one.
 */
export type SmimeCertificateProblem =
  | 'malformed'
  | 'expired'
  | 'not_yet_valid'
  | 'no_key_encipherment'
  | 'not_for_email_protection'
  | 'address_mismatch'
  | 'untrusted_chain'
  | 'unsupported_key'
  // The organisation's signing identity only:
  | 'malformed_key'
  | 'key_mismatch'
  | 'no_digital_signature';

/**
 * The messages shown to API clients. They never quote the certificate or the address: a
 * subject name or an address can itself be PHI (a patient's name in a mailbox).
 */
const MESSAGES: Record<SmimeCertificateProblem, string> = {
  malformed: 'The certificate could not be read as a PEM or DER X.509 certificate.',
  expired: 'The certificate has expired.',
  not_yet_valid: 'The certificate is not valid yet.',
  no_key_encipherment: 'The certificate key usage does not allow key encipherment.',
  not_for_email_protection: 'The certificate extended key usage does not include email protection.',
  address_mismatch: 'The certificate is not issued for the recipient address.',
  untrusted_chain: 'The certificate does not chain to a trusted certificate authority.',
  unsupported_key: 'The certificate key is not an RSA key of at least 2048 bits.',
  malformed_key: 'The private key could not be read as an unencrypted PKCS#8 or PKCS#1 PEM key.',
  key_mismatch: 'The private key does not belong to the certificate.',
  no_digital_signature: 'The certificate key usage does not allow digital signatures.',
};

/**
 * A certificate refused for a reason the caller can fix: a client error (422), never a
 * server one. The API layer maps it to its error body with `code` as the reason.
 */
export class SmimeCertificateError extends Error {
  readonly httpStatus = 422;

  constructor(readonly code: SmimeCertificateProblem) {
    super(MESSAGES[code]);
    this.name = 'SmimeCertificateError';
  }
}
