import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { type TestCa } from '@sealpost/test-peers';

export interface SmimeTestIdentity {
  certPem: string;
  keyPem: string;
}

export interface SmimeCertificateRequest {
  /** Put in subjectAltName as rfc822Name. */
  address?: string;
  /** Put in the subject Name as emailAddress (the legacy place). */
  subjectEmail?: string;
  keyEncipherment?: boolean;
  digitalSignature?: boolean;
  /** Adds extKeyUsage with this purpose list; omitted means no extKeyUsage extension. */
  extendedKeyUsage?: 'emailProtection' | 'serverAuth';
  notBefore?: Date;
  notAfter?: Date;
  /** OIDs for an S/MIME capabilities extension (RFC 4262). */
  capabilities?: string[];
  keyBits?: number;
}

const DAY_MS = 24 * 3600 * 1000;
const SMIME_CAPABILITIES_OID = '1.2.840.113549.1.9.15';

/** Node's native generator: forge's pure-JS one takes seconds per key. */
function newKeyPair(bits: number): { key: forge.pki.rsa.PrivateKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { key: forge.pki.privateKeyFromPem(keyPem), keyPem };
}

function capabilitiesExtension(oids: string[]) {
  const { Class, Type } = forge.asn1;
  const sequence = forge.asn1.create(
    Class.UNIVERSAL,
    Type.SEQUENCE,
    true,
    oids.map((oid) =>
      forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
        forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(oid).getBytes()),
      ]),
    ),
  );
  return { id: SMIME_CAPABILITIES_OID, value: forge.asn1.toDer(sequence).getBytes() };
}

function extensionsFor(request: SmimeCertificateRequest): object[] {
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: request.digitalSignature ?? true,
      keyEncipherment: request.keyEncipherment ?? true,
    },
  ];
  if (request.extendedKeyUsage) {
    extensions.push({ name: 'extKeyUsage', [request.extendedKeyUsage]: true });
  }
  if (request.address) {
    extensions.push({ name: 'subjectAltName', altNames: [{ type: 1, value: request.address }] });
  }
  if (request.capabilities) {
    extensions.push(capabilitiesExtension(request.capabilities));
  }
  return extensions;
}

/** An intermediate CA under `root`, as commercial S/MIME issuers use. */
export function issueIntermediateCa(root: TestCa): TestCa {
  const { key, keyPem } = newKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: 'Sealpost Test Intermediate CA' }]);
  cert.setIssuer(root.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  cert.sign(root.key, forge.md.sha256.create());
  return { cert, key, certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** An S/MIME end-entity certificate signed by `ca`; dates in the past make an expired one. */
export function issueSmimeCertificate(
  ca: TestCa,
  request: SmimeCertificateRequest,
): SmimeTestIdentity {
  const { key, keyPem } = newKeyPair(request.keyBits ?? 2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = request.notBefore ?? new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = request.notAfter ?? new Date(Date.now() + 30 * DAY_MS);

  const subject = [
    { name: 'commonName', value: 'Sealpost S/MIME test ' + randomBytes(3).toString('hex') },
  ];
  if (request.subjectEmail) {
    subject.push({ name: 'emailAddress', value: request.subjectEmail });
  }
  cert.setSubject(subject);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions(extensionsFor(request));
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}
