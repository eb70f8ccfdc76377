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
/** RFC 5084 recommends 12-byte nonces: GCM uses them directly, without an extra GHASH. */
const GCM_NONCE_BYTES = 12;
/** A full 16-byte tag; RFC 5084's default is 12, so the length is always written out. */
const GCM_TAG_BYTES = 16;

/**
 * A ContentInfo holding AuthEnvelopedData (RFC 5083) with AES-256-GCM (RFC 5084) and the
 * content key wrapped with RSA-OAEP/SHA-256. There are no authAttrs, so the GCM additional
 * data is empty and the tag alone authenticates the content. Returns DER.
 */
export function buildAuthEnvelopedData(content: Buffer, recipientCertPems: string[]): Buffer {
  const contentKey = randomBytes(AES_256_KEY_BYTES);
  const nonce = randomBytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', contentKey, nonce, {
    authTagLength: GCM_TAG_BYTES,
  });
  const encrypted = Buffer.concat([cipher.update(content), cipher.final()]);
  const tag = cipher.getAuthTag();

  const recipientInfos = recipientCertPems.map((pem) =>
    buildKeyTransRecipientInfo(pem, contentKey, 'rsa-oaep-sha256'),
  );
  const gcmParameters = sequence([octetString(nonce), smallInteger(GCM_TAG_BYTES)]);
  // Version is always 0 (RFC 5083 section 2.1).
  const authEnvelopedData = sequence([
    smallInteger(0),
    setOf(recipientInfos),
    sequence([
      oid(CmsOid.data),
      algorithmIdentifier(CmsOid.aes256Gcm, gcmParameters),
      implicitOctets(0, encrypted),
    ]),
    octetString(tag),
  ]);

  return encodeDer(sequence([oid(CmsOid.authEnvelopedData), explicitTag(0, authEnvelopedData)]));
}
