import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface TestCa extends PemPair {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface CertificateRequest {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

const DAY_MS = 24 * 3600 * 1000;

/** RSA keys from Node's native generator: forge's pure-JS one takes seconds per key. */
function newKeyPair(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
} {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function baseCertificate(publicKey: forge.pki.PublicKey, from: Date, to: Date) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + randomBytes(8).toString('hex');
  cert.validity.notBefore = from;
  cert.validity.notAfter = to;
  return cert;
}

/** A certificate authority made for one test run; trust it with SEALPOST_TLS_CA_FILE. */
export function createTestCa(commonName = 'Sealpost Test CA'): TestCa {
  const { privateKey, publicKey } = newKeyPair();
  const cert = baseCertificate(
    publicKey,
    new Date(Date.now() - DAY_MS),
    new Date(Date.now() + 30 * DAY_MS),
  );
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return {
    cert,
    key: privateKey,
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(privateKey),
  };
}

function serverExtensions(request: CertificateRequest) {
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(request.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  return [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ];
}

/** A server certificate signed by `ca`; pass dates in the past to make an expired one. */
export function issueCertificate(ca: TestCa, request: CertificateRequest): PemPair {
  const { privateKey, publicKey } = newKeyPair();
  const cert = baseCertificate(
    publicKey,
    request.notBefore ?? new Date(Date.now() - DAY_MS),
    request.notAfter ?? new Date(Date.now() + 30 * DAY_MS),
  );
  cert.setSubject([{ name: 'commonName', value: request.commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions(serverExtensions(request));
  cert.sign(ca.key, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(privateKey),
  };
}

/** A certificate that vouches for itself, as a misconfigured server would present. */
export function selfSignedCertificate(request: CertificateRequest): PemPair {
  const { privateKey, publicKey } = newKeyPair();
  const cert = baseCertificate(
    publicKey,
    new Date(Date.now() - DAY_MS),
    new Date(Date.now() + 30 * DAY_MS),
  );
  const subject = [{ name: 'commonName', value: request.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions(serverExtensions(request));
  cert.sign(privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(privateKey),
  };
}

/**
 * An S/MIME certificate for `address` signed by `ca` (RSA-2048, rfc822Name, emailProtection),
 * with its private key, as a recipient's mail client would hold it.
 */
export function issueEmailCertificate(ca: TestCa, address: string): PemPair {
  const { privateKey, publicKey } = newKeyPair();
  const cert = baseCertificate(
    publicKey,
    new Date(Date.now() - DAY_MS),
    new Date(Date.now() + 30 * DAY_MS),
  );
  cert.setSubject([{ name: 'commonName', value: address }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true },
    { name: 'subjectAltName', altNames: [{ type: 1, value: address }] },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(privateKey),
  };
}
