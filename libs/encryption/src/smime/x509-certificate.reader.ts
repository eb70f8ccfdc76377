import forge from 'node-forge';
import {
  type Asn1,
  bytesOf,
  childrenOf,
  isContextTag,
  isUniversal,
  oidOf,
  parseDer,
} from './asn1-der.util';
import { CmsOid } from './cms-oids';

const { Type } = forge.asn1;

/** The parts of an X.509 certificate S/MIME needs, read straight from its DER. */
export interface X509Fields {
  /** The issuer Name and serial number as encoded, for IssuerAndSerialNumber. */
  issuer: Asn1;
  serialNumber: Asn1;
  notBefore: Date;
  notAfter: Date;
  /** emailAddress attributes of the subject Name (legacy, still common). */
  subjectEmails: string[];
  /** rfc822Name entries of the subjectAltName extension. */
  altNameEmails: string[];
  /** Undefined when the certificate has no keyUsage extension, i.e. allows every use. */
  keyUsage?: { digitalSignature: boolean; keyEncipherment: boolean };
  /** Undefined when the certificate has no extKeyUsage extension. */
  extendedKeyUsage?: string[];
  /** Algorithm OIDs from an S/MIME capabilities extension (RFC 4262), if any. */
  smimeCapabilities: string[];
}

/** Reads the fields; throws a plain Error on anything that is not a well-formed certificate. */
export function readX509Fields(der: Buffer): X509Fields {
  const tbs = childrenOf(childrenOf(parseDer(der))[0]);
  const offset = isContextTag(tbs[0], 0) ? 1 : 0;
  const [serialNumber, , issuer, validity, subject] = tbs.slice(offset, offset + 5);
  if (!isUniversal(serialNumber, Type.INTEGER) || !isUniversal(issuer, Type.SEQUENCE)) {
    throw new Error('certificate has no issuer or serial number');
  }

  const [notBefore, notAfter] = childrenOf(validity).map(timeOf);
  const extensions = readExtensions(tbs.find((node) => isContextTag(node, 3)));
  const keyUsage = extensions.get(CmsOid.keyUsage);
  const extendedKeyUsage = extensions.get(CmsOid.extKeyUsage);
  const altNames = extensions.get(CmsOid.subjectAltName);
  const capabilities = extensions.get(CmsOid.smimeCapabilities);

  return {
    issuer,
    serialNumber,
    notBefore,
    notAfter,
    subjectEmails: readSubjectEmails(subject),
    altNameEmails: altNames ? readAltNameEmails(altNames) : [],
    keyUsage: keyUsage ? readKeyUsage(keyUsage) : undefined,
    extendedKeyUsage: extendedKeyUsage ? readOidSequence(extendedKeyUsage) : undefined,
    smimeCapabilities: capabilities ? readCapabilities(capabilities) : [],
  };
}

function timeOf(node: Asn1): Date {
  const text = bytesOf(node).toString('binary');
  if (isUniversal(node, Type.UTCTIME)) {
    return forge.asn1.utcTimeToDate(text);
  }
  if (isUniversal(node, Type.GENERALIZEDTIME)) {
    return forge.asn1.generalizedTimeToDate(text);
  }
  throw new Error('certificate validity is not a time');
}

/** Extension id -> DER of its extnValue contents. */
function readExtensions(wrapper: Asn1 | undefined): Map<string, Buffer> {
  const extensions = new Map<string, Buffer>();
  if (!wrapper) {
    return extensions;
  }
  for (const extension of childrenOf(childrenOf(wrapper)[0])) {
    const parts = childrenOf(extension);
    extensions.set(oidOf(parts[0]), bytesOf(parts[parts.length - 1]));
  }
  return extensions;
}

function readSubjectEmails(subject: Asn1 | undefined): string[] {
  const emails: string[] = [];
  for (const rdn of childrenOf(subject)) {
    for (const attribute of childrenOf(rdn)) {
      const [type, value] = childrenOf(attribute);
      if (oidOf(type) === CmsOid.emailAddress) {
        emails.push(bytesOf(value).toString('utf8'));
      }
    }
  }
  return emails;
}

/** rfc822Name is GeneralName choice [1], an IMPLICIT IA5String. */
function readAltNameEmails(der: Buffer): string[] {
  return childrenOf(parseDer(der))
    .filter((name) => isContextTag(name, 1) && !name.constructed)
    .map((name) => bytesOf(name).toString('binary'));
}

/** KeyUsage is a BIT STRING: first byte counts unused bits, bit 0 is the high bit after it. */
function readKeyUsage(der: Buffer): { digitalSignature: boolean; keyEncipherment: boolean } {
  const bits = bytesOf(parseDer(der));
  const first = bits.length > 1 ? bits[1] : 0;
  return { digitalSignature: (first & 0x80) !== 0, keyEncipherment: (first & 0x20) !== 0 };
}

function readOidSequence(der: Buffer): string[] {
  return childrenOf(parseDer(der)).map(oidOf);
}

function readCapabilities(der: Buffer): string[] {
  return childrenOf(parseDer(der)).map((capability) => oidOf(childrenOf(capability)[0]));
}
