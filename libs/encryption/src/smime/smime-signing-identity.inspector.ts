import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { CmsOid } from './cms-oids';
import { type CmsSigner } from './cms-signed-data.builder';
import { SmimeCertificateError } from './smime-certificate.error';
import { readX509Fields, type X509Fields } from './x509-certificate.reader';

export interface SigningIdentityInput {
  /** The signing certificate, PEM; more certificates after it are taken as its chain. */
  certificatePem: string;
  /** Intermediates sent with every signature so recipients can build the path. */
  chainPems?: string[];
  /** Unencrypted PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM. */
  privateKeyPem: string;
}

export interface InspectedSigningIdentity {
  /** Lower-case hex SHA-256 of the certificate's DER; safe to store and log. */
  fingerprintSha256: string;
  notAfter: Date;
  /** Clean PEM re-encodings; the key always as PKCS#8, whatever form it came in. */
  signer: Required<CmsSigner>;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** RFC 8551 section 4.1: 2048 bits is the floor for RSA, as for recipients. */
const MIN_RSA_BITS = 2048;

/**
 * Checks an organisation's S/MIME signing identity before it is stored: the key must be an
 * RSA key of the certificate, the certificate valid now, allowed to sign (keyUsage) and, if
 * it names purposes, for email protection. A pair that fails here would sign every message
 * with a signature every recipient rejects. Throws SmimeCertificateError with a stable code.
 */
export function inspectSigningIdentity(
  input: SigningIdentityInput,
  now = new Date(),
): InspectedSigningIdentity {
  const [certificate, ...bundled] = parseCertificates(input.certificatePem);
  const chain = [...bundled, ...(input.chainPems ?? []).flatMap(parseCertificates)];
  const key = parsePrivateKey(input.privateKeyPem);

  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new SmimeCertificateError('unsupported_key');
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new SmimeCertificateError('key_mismatch');
  }
  const fields = readFields(certificate);
  if (now < fields.notBefore) {
    throw new SmimeCertificateError('not_yet_valid');
  }
  if (now > fields.notAfter) {
    throw new SmimeCertificateError('expired');
  }
  checkSigningUsage(fields);

  return {
    fingerprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
    notAfter: fields.notAfter,
    signer: {
      certPem: certificate.toString(),
      chainPems: chain.map((cert) => cert.toString()),
      keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  };
}

function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new SmimeCertificateError('malformed');
  }
  return blocks.map((block) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new SmimeCertificateError('malformed');
    }
  });
}

/** An encrypted key is refused too: Sealpost seals it itself, and has no passphrase for it. */
function parsePrivateKey(pem: string): KeyObject {
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) {
    throw new SmimeCertificateError('malformed_key');
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new SmimeCertificateError('malformed_key');
  }
}

function readFields(certificate: X509Certificate): X509Fields {
  try {
    return readX509Fields(certificate.raw);
  } catch {
    throw new SmimeCertificateError('malformed');
  }
}

/** No keyUsage extension means every use is allowed (RFC 5280 section 4.2.1.3). */
function checkSigningUsage(fields: X509Fields): void {
  if (fields.keyUsage && !fields.keyUsage.digitalSignature) {
    throw new SmimeCertificateError('no_digital_signature');
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
