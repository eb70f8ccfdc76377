import { createCipheriv, randomBytes } from 'node:crypto';
import {
  algorithmIdentifier,
  encodeDer,
  explicitTag,
  implicitOctets,
  octetString,
  oid,
  sequence,
  setOf,
  smallInteger,
} from './asn1-der.util';
import { CmsOid } from './cms-oids';
import { buildKeyTransRecipientInfo } from './cms-recipient-info.builder';

const AES_256_KEY_BYTES = 32;
const CBC_IV_BYTES = 16;

/**
 * The RFC 8551 baseline every S/MIME client opens: a ContentInfo holding EnvelopedData
 * (RFC 5652 section 6) with AES-256-CBC content encryption and the content key wrapped for
 * each recipient with RSA PKCS#1 v1.5. CBC has no integrity of its own; a signature inside
 * (sign-then-encrypt) is what protects the content. Returns DER.
 */
export function buildEnvelopedData(content: Buffer, recipientCertPems: string[]): Buffer {
  const contentKey = randomBytes(AES_256_KEY_BYTES);
  const iv = randomBytes(CBC_IV_BYTES);
  const cipher = createCipheriv('aes-256-cbc', contentKey, iv);
  const encrypted = Buffer.concat([cipher.update(content), cipher.final()]);

  const recipientInfos = recipientCertPems.map((pem) =>
    buildKeyTransRecipientInfo(pem, contentKey, 'rsa-pkcs1'),
  );
  // Version 0: no originatorInfo, no unprotectedAttrs, only version-0 recipient infos.
  const envelopedData = sequence([
    smallInteger(0),
    setOf(recipientInfos),
    sequence([
      oid(CmsOid.data),
      algorithmIdentifier(CmsOid.aes256Cbc, octetString(iv)),
      implicitOctets(0, encrypted),
    ]),
  ]);

  return encodeDer(sequence([oid(CmsOid.envelopedData), explicitTag(0, envelopedData)]));
}
