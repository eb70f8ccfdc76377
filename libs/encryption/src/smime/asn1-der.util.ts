import forge from 'node-forge';

/**
 * Small builders over forge's ASN.1 module. forge works on "binary strings" (one char per
 * byte); these helpers take and give Buffers so the rest of the S/MIME code never sees them.
 */
export type Asn1 = forge.asn1.Asn1;

const { Class, Type } = forge.asn1;

interface FromDerOptions {
  parseAllBytes: boolean;
  decodeBitStrings: boolean;
}

/**
 * forge's typings only declare a `strict` flag, but the function takes options. Bit strings
 * must stay raw: forge would otherwise try to parse their payload as ASN.1 and could turn a
 * key usage bit mask into a nested structure.
 */
const fromDer = forge.asn1.fromDer as unknown as (bytes: string, options: FromDerOptions) => Asn1;

export function parseDer(der: Buffer): Asn1 {
  return fromDer(der.toString('binary'), { parseAllBytes: true, decodeBitStrings: false });
}

export function encodeDer(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

export function sequence(children: Asn1[]): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, children);
}

/** A DER SET OF: members sorted by their encodings (X.690 11.6), which OpenSSL re-checks. */
export function setOf(children: Asn1[]): Asn1 {
  const sorted = children
    .map((child) => ({ child, der: encodeDer(child) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ child }) => child);
  return forge.asn1.create(Class.UNIVERSAL, Type.SET, true, sorted);
}

export function oid(dotted: string): Asn1 {
  return forge.asn1.create(
    Class.UNIVERSAL,
    Type.OID,
    false,
    forge.asn1.oidToDer(dotted).getBytes(),
  );
}

export function smallInteger(value: number): Asn1 {
  return forge.asn1.create(
    Class.UNIVERSAL,
    Type.INTEGER,
    false,
    forge.asn1.integerToDer(value).getBytes(),
  );
}

export function octetString(bytes: Buffer): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
}

export function nullValue(): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}

/** `[n] EXPLICIT`: the tag wraps the complete encoding of `inner`. */
export function explicitTag(tagNumber: number, inner: Asn1): Asn1 {
  return forge.asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, true, [inner]);
}

/** `[n] IMPLICIT` of a constructed type (SET OF, SEQUENCE): the tag replaces the universal one. */
export function implicitConstructed(tagNumber: number, children: Asn1[]): Asn1 {
  return forge.asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, true, children);
}

/** `[n] IMPLICIT OCTET STRING`, as encryptedContent is. */
export function implicitOctets(tagNumber: number, bytes: Buffer): Asn1 {
  return forge.asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, false, bytes.toString('binary'));
}

export function algorithmIdentifier(algorithm: string, parameters?: Asn1): Asn1 {
  return sequence(parameters ? [oid(algorithm), parameters] : [oid(algorithm)]);
}

/** RFC 5652 Time: UTCTime through 2049, GeneralizedTime after, as X.509 does. */
export function cmsTime(date: Date): Asn1 {
  if (date.getUTCFullYear() < 2050) {
    return forge.asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, forge.asn1.dateToUtcTime(date));
  }
  return forge.asn1.create(
    Class.UNIVERSAL,
    Type.GENERALIZEDTIME,
    false,
    forge.asn1.dateToGeneralizedTime(date),
  );
}

export function isUniversal(node: Asn1 | undefined, type: forge.asn1.Type): node is Asn1 {
  return node !== undefined && node.tagClass === Class.UNIVERSAL && node.type === type;
}

export function isContextTag(node: Asn1 | undefined, tagNumber: number): node is Asn1 {
  // Context tag numbers share the field with universal types, so compare as plain numbers.
  return (
    node !== undefined &&
    node.tagClass === Class.CONTEXT_SPECIFIC &&
    Number(node.type) === tagNumber
  );
}

/** The children of a constructed node; throws on a primitive one so callers fail loudly. */
export function childrenOf(node: Asn1 | undefined): Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) {
    throw new Error('expected a constructed ASN.1 value');
  }
  return node.value;
}

/** The content bytes of a primitive node. */
export function bytesOf(node: Asn1 | undefined): Buffer {
  if (node === undefined || typeof node.value !== 'string') {
    throw new Error('expected a primitive ASN.1 value');
  }
  return Buffer.from(node.value, 'binary');
}

export function oidOf(node: Asn1 | undefined): string {
  if (!isUniversal(node, Type.OID)) {
    throw new Error('expected an OBJECT IDENTIFIER');
  }
  return forge.asn1.derToOid(bytesOf(node).toString('binary'));
}
