import { constants, publicEncrypt, X509Certificate } from 'node:crypto';
import {
  type Asn1,
  algorithmIdentifier,
  explicitTag,
  nullValue,
  octetString,
  sequence,
  smallInteger,
} from './asn1-der.util';
import { CmsOid } from './cms-oids';
import { readX509Fields } from './x509-certificate.reader';

/**
 * How the content key is wrapped for a recipient. PKCS#1 v1.5 is what every S/MIME client
 * opens; OAEP with SHA-256 (RFC 8017, identifiers of RFC 4055) is the stronger choice when
 * the recipient is known to handle it.
 */
export type KeyTransport = 'rsa-pkcs1' | 'rsa-oaep-sha256';

/**
 * RSAES-OAEP-params with SHA-256 for both the label hash and MGF1; pSourceFunc keeps its
 * default (empty label). The SHA-256 identifiers carry no parameters, as OpenSSL 3 writes
 * them (RFC 5754 section 2); OpenSSL also accepts NULL parameters here.
 */
function oaepSha256Identifier(): Asn1 {
  return algorithmIdentifier(
    CmsOid.rsaesOaep,
    sequence([
      explicitTag(0, algorithmIdentifier(CmsOid.sha256)),
      explicitTag(1, algorithmIdentifier(CmsOid.mgf1, algorithmIdentifier(CmsOid.sha256))),
    ]),
  );
}

/** IssuerAndSerialNumber, copied from the certificate's own encoding so decoders match it. */
export function issuerAndSerialNumber(cert: X509Certificate): Asn1 {
  const { issuer, serialNumber } = readX509Fields(cert.raw);
  return sequence([issuer, serialNumber]);
}

/**
 * A KeyTransRecipientInfo (RFC 5652 section 6.2.1), version 0 because the recipient is named
 * by issuer and serial number. The first certificate of `certPem` is the recipient's.
 */
export function buildKeyTransRecipientInfo(
  certPem: string,
  contentKey: Buffer,
  transport: KeyTransport,
): Asn1 {
  const cert = new X509Certificate(certPem);
  if (cert.publicKey.asymmetricKeyType !== 'rsa') {
    throw new Error('S/MIME key transport needs an RSA recipient certificate');
  }

  const oaep = transport === 'rsa-oaep-sha256';
  const encryptedKey = publicEncrypt(
    oaep
      ? { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }
      : { key: cert.publicKey, padding: constants.RSA_PKCS1_PADDING },
    contentKey,
  );

  return sequence([
    smallInteger(0),
    issuerAndSerialNumber(cert),
    oaep ? oaepSha256Identifier() : algorithmIdentifier(CmsOid.rsaEncryption, nullValue()),
    octetString(encryptedKey),
  ]);
}
