import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileOnce } from '@sealpost/core';
import forge from 'node-forge';

const FILE = 'gateway-tls.pem';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Development convenience, like the generated master key: a self-signed certificate for the
 * gateway's STARTTLS, kept in the data directory so restarts (and several gateway processes)
 * present the same one; the first process to write it wins (writeFileOnce).
 */
export function developmentCertificate(
  dataDir: string,
  name: string,
): { keyPem: string; certPem: string } {
  const path = join(dataDir, FILE);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return splitPem(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  writeFileOnce(path, selfSigned(name));
  return splitPem(readFileSync(path, 'utf8'));
}

function selfSigned(name: string): string {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + YEAR_MS);
  const subject = [{ name: 'commonName', value: name }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'subjectAltName', altNames: [{ type: 2, value: name }] },
    { name: 'extKeyUsage', serverAuth: true },
  ]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.privateKeyToPem(keys.privateKey) + forge.pki.certificateToPem(certificate);
}

function splitPem(text: string): { keyPem: string; certPem: string } {
  const keyPem = /-----BEGIN RSA PRIVATE KEY-----[\s\S]+?-----END RSA PRIVATE KEY-----/.exec(text);
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  if (!keyPem || !certPem) {
    throw new Error(`${FILE} in the data directory is damaged; delete it to generate another`);
  }
  return { keyPem: keyPem[0], certPem: certPem[0] };
}
