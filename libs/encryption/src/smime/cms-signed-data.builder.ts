import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import {
  type Asn1,
  algorithmIdentifier,
  childrenOf,
  encodeDer,
  explicitTag,
  implicitConstructed,
  nullValue,
  octetString,
  oid,
  parseDer,
  sequence,
  setOf,
  smallInteger,
  cmsTime,
} from './asn1-der.util';
import { CmsOid } from './cms-oids';
import { issuerAndSerialNumber } from './cms-recipient-info.builder';

/** The organisation's signing identity: an RSA certificate, its key, optional intermediates. */
export interface CmsSigner {
  certPem: string;
  keyPem: string;
  chainPems?: string[];
}

/**
 * A detached SignedData (RFC 5652 section 5) over exactly `content`, the bytes that will sit
 * in the first part of a multipart/signed. SHA-256 and RSA PKCS#1 v1.5 signatures, signed
 * attributes contentType, signingTime and messageDigest. Returns DER.
 */
export function buildDetachedSignedData(
  content: Buffer,
  signer: CmsSigner,
  signingTime: Date,
): Buffer {
  const key = createPrivateKey(signer.keyPem);
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error('the S/MIME signing key must be an RSA key');
  }
  const cert = new X509Certificate(signer.certPem);
  // A mismatched pair would sign happily and fail only at every recipient.
  if (!cert.checkPrivateKey(key)) {
    throw new Error('the S/MIME signing key does not belong to the signing certificate');
  }
  const chain = (signer.chainPems ?? []).map((pem) => new X509Certificate(pem));

  const digest = createHash('sha256').update(content).digest();
  const signedAttributes = setOf([
    attribute(CmsOid.contentType, oid(CmsOid.data)),
    attribute(CmsOid.signingTime, cmsTime(signingTime)),
    attribute(CmsOid.messageDigest, octetString(digest)),
  ]);
  // The signature covers the attributes encoded as a SET OF (tag 0x31), not as the [0]
  // IMPLICIT field they are stored in (RFC 5652 section 5.4).
  const signature = sign('sha256', encodeDer(signedAttributes), key);

  const signerInfo = sequence([
    smallInteger(1),
    issuerAndSerialNumber(cert),
    algorithmIdentifier(CmsOid.sha256),
    implicitConstructed(0, childrenOf(signedAttributes)),
    algorithmIdentifier(CmsOid.rsaEncryption, nullValue()),
    octetString(signature),
  ]);
  // Version 1: id-data content, X.509 certificates only, version-1 signer infos.
  const signedData = sequence([
    smallInteger(1),
    setOf([algorithmIdentifier(CmsOid.sha256)]),
    sequence([oid(CmsOid.data)]),
    implicitConstructed(
      0,
      [cert, ...chain].map((c) => parseDer(c.raw)),
    ),
    setOf([signerInfo]),
  ]);

  return encodeDer(sequence([oid(CmsOid.signedData), explicitTag(0, signedData)]));
}

function attribute(type: string, value: Asn1): Asn1 {
  return sequence([oid(type), setOf([value])]);
}
