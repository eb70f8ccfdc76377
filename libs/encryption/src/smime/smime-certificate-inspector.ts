import { createHash, X509Certificate } from 'node:crypto';
import { chainsToTrustedCa } from './certificate-chain.verifier';
import { CmsOid } from './cms-oids';
import { SmimeCertificateError } from './smime-certificate.error';
import { readX509Fields, type X509Fields } from './x509-certificate.reader';

export interface InspectedCertificate {
  /** Lower-case hex SHA-256 of the leaf's DER; safe to store and log. */
  fingerprintSha256: string;
  /** rfc822Name entries of subjectAltName, then subject emailAddress attributes. */
  subjectAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: 'rsa';
  keyBits: number;
  allowsKeyEncipherment: boolean;
  /** What the certificate's S/MIME capabilities extension declares; false when unknown. */
  capabilities: { oaep: boolean; gcm: boolean };
  /** The leaf, then any intermediates given with it, re-encoded as clean PEM. */
  pem: string;
}

export interface InspectOptions {
  now?: Date;
  /** A configured CA bundle; when non-empty, the certificate must chain to one of them. */
  trustedCaPems?: string[];
}

/** RFC 8551 section 4.1: receivers must handle 2048 bits, and smaller keys are breakable. */
const MIN_RSA_BITS = 2048;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/**
 * Checks that a certificate can carry S/MIME to `expectedAddress` and describes it. Throws
 * SmimeCertificateError (a client error with a stable code) for anything unusable. More
 * certificates may follow the leaf in `pem`; they serve only to build the chain.
 */
export function inspectCertificate(
  pem: string,
  expectedAddress: string,
  options: InspectOptions = {},
): InspectedCertificate {
  const now = options.now ?? new Date();
  const [leaf, ...intermediates] = parseCertificates(pem);
  const fields = readFields(leaf);

  const keyBits = rsaKeyBits(leaf);
  const subjectAddresses = [...fields.altNameEmails, ...fields.subjectEmails];
  const wanted = expectedAddress.trim().toLowerCase();
  // Local parts are compared without case too: mail systems treat them so in practice,
  // and a mismatch here only refuses a certificate, it never sends to another mailbox.
  if (!subjectAddresses.some((address) => address.trim().toLowerCase() === wanted)) {
    throw new SmimeCertificateError('address_mismatch');
  }

  checkValidity(fields, now);
  checkUsage(fields);
  const anchors = (options.trustedCaPems ?? []).flatMap(parseCertificates);
  if (anchors.length > 0 && !chainsToTrustedCa(leaf, intermediates, anchors, now)) {
    throw new SmimeCertificateError('untrusted_chain');
  }

  return {
    fingerprintSha256: createHash('sha256').update(leaf.raw).digest('hex'),
    subjectAddresses,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    keyAlgorithm: 'rsa',
    keyBits,
    allowsKeyEncipherment: fields.keyUsage?.keyEncipherment ?? true,
    capabilities: {
      oaep: fields.smimeCapabilities.includes(CmsOid.rsaesOaep),
      gcm: fields.smimeCapabilities.includes(CmsOid.aes256Gcm),
    },
    pem: [leaf, ...intermediates].map((cert) => cert.toString()).join(''),
  };
}

function parseCertificates(pem: string): X509Certificate[] {
  const blocks = [...pem.matchAll(PEM_BLOCK)].map((match) => match[1].replace(/\s+/g, ''));
  if (blocks.length === 0) {
    throw new SmimeCertificateError('malformed');
  }
  return blocks.map((base64) => {
    try {
      return new X509Certificate(Buffer.from(base64, 'base64'));
    } catch {
      throw new SmimeCertificateError('malformed');
    }
  });
}

function readFields(cert: X509Certificate): X509Fields {
  try {
    return readX509Fields(cert.raw);
  } catch {
    throw new SmimeCertificateError('malformed');
  }
}

/** RSA-PSS-only keys are excluded: they cannot do key transport. */
function rsaKeyBits(cert: X509Certificate): number {
  const key = cert.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new SmimeCertificateError('unsupported_key');
  }
  return bits;
}

function checkValidity(fields: X509Fields, now: Date): void {
  if (now < fields.notBefore) {
    throw new SmimeCertificateError('not_yet_valid');
  }
  if (now > fields.notAfter) {
    throw new SmimeCertificateError('expired');
  }
}

/** No keyUsage extension means every use is allowed (RFC 5280 section 4.2.1.3). */
function checkUsage(fields: X509Fields): void {
  if (fields.keyUsage && !fields.keyUsage.keyEncipherment) {
    throw new SmimeCertificateError('no_key_encipherment');
  }
  const purposes = fields.extendedKeyUsage;
  if (
    purposes &&
    !purposes.includes(CmsOid.emailProtection) &&
    !purposes.includes(CmsOid.anyExtendedKeyUsage)
  ) {
    throw new SmimeCertificateError('not_for_email_protection');
  }
}
