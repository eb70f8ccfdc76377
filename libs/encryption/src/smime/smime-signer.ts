import { randomBytes } from 'node:crypto';
import { buildDetachedSignedData, type CmsSigner } from './cms-signed-data.builder';
import { base64Lines, joinEntity, toCrlf } from './mime-entity.util';

/**
 * Wraps a MIME entity in multipart/signed (RFC 8551 section 3.5.3). The signature covers
 * the entity's canonical form, every line break CRLF (section 3.1.1): verifiers such as
 * OpenSSL rebuild that form from the received part, so a signature over bare LF bytes
 * fails everywhere. The CRLF before the next boundary belongs to the delimiter (RFC 2046
 * section 5.1.1), not to the signed bytes; nothing may re-encode or re-wrap the part later.
 */
export function signMimeEntity(entity: Buffer, signer: CmsSigner, now = new Date()): Buffer {
  const canonical = Buffer.from(toCrlf(entity.toString('latin1')), 'latin1');
  const signature = buildDetachedSignedData(canonical, signer, now);
  // '=_' never occurs in base64 or quoted-printable text, and the random part not by chance.
  const boundary = `=_sealpost-signed-${randomBytes(16).toString('hex')}`;

  const headers = [
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; ' +
      `micalg=sha-256;\r\n boundary="${boundary}"`,
  ];
  const body =
    'This is a cryptographically signed message in MIME format.\r\n\r\n' +
    `--${boundary}\r\n` +
    canonical.toString('latin1') +
    `\r\n--${boundary}\r\n` +
    'Content-Type: application/pkcs7-signature; name=smime.p7s\r\n' +
    'Content-Transfer-Encoding: base64\r\n' +
    'Content-Disposition: attachment; filename=smime.p7s\r\n' +
    '\r\n' +
    base64Lines(signature) +
    `--${boundary}--\r\n`;
  return joinEntity(headers, body);
}
