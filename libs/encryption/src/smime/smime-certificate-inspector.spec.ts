import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import { CmsOid } from './cms-oids';
import { inspectCertificate } from './smime-certificate-inspector';
import { SmimeCertificateError, type SmimeCertificateProblem } from './smime-certificate.error';
import { makeTempDir, opensslOutput } from './testing/openssl.runner';
import { issueIntermediateCa, issueSmimeCertificate } from './testing/smime-test-certificates';

const DAY_MS = 24 * 3600 * 1000;

function randomAddress(): string {
  return `patient-${randomBytes(4).toString('hex')}@clinic.example`;
}

function problemOf(action: () => unknown): SmimeCertificateProblem | 'no error' {
  try {
    action();
    return 'no error';
  } catch (error) {
    if (error instanceof SmimeCertificateError) {
      return error.code;
    }
    throw error;
  }
}

describe('inspectCertificate', () => {
  let ca: TestCa;

  beforeAll(() => {
    ca = createTestCa('Sealpost S/MIME Test CA');
  });

  it('describes a valid recipient certificate', async () => {
    const address = randomAddress();
    const { certPem } = issueSmimeCertificate(ca, {
      address,
      extendedKeyUsage: 'emailProtection',
    });

    const inspected = inspectCertificate(certPem, address);

    const dir = await makeTempDir();
    try {
      await writeFile(join(dir.path, 'cert.pem'), certPem);
      const openssl = await opensslOutput([
        'x509',
        '-in',
        join(dir.path, 'cert.pem'),
        '-noout',
        '-fingerprint',
        '-sha256',
      ]);
      const expected = openssl.toString().split('=')[1].trim().replace(/:/g, '').toLowerCase();
      expect(inspected.fingerprintSha256).toBe(expected);
    } finally {
      await dir.remove();
    }
    expect(inspected).toMatchObject({
      subjectAddresses: [address],
      keyAlgorithm: 'rsa',
      keyBits: 2048,
      allowsKeyEncipherment: true,
      capabilities: { oaep: false, gcm: false },
    });
    expect(inspected.notBefore.getTime()).toBeLessThan(Date.now());
    expect(inspected.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(inspected.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END/);
  });

  it('matches the address in the subject emailAddress and ignores letter case', () => {
    const address = randomAddress();
    const { certPem } = issueSmimeCertificate(ca, { subjectEmail: address });

    const inspected = inspectCertificate(certPem, ` ${address.toUpperCase()} `);

    expect(inspected.subjectAddresses).toEqual([address]);
  });

  it('reports OAEP and GCM only when the certificate declares them', () => {
    const address = randomAddress();
    const { certPem } = issueSmimeCertificate(ca, {
      address,
      capabilities: [CmsOid.aes256Gcm, CmsOid.rsaesOaep],
    });
    const cbcOnly = issueSmimeCertificate(ca, { address, capabilities: [CmsOid.aes256Cbc] });

    expect(inspectCertificate(certPem, address).capabilities).toEqual({ oaep: true, gcm: true });
    expect(inspectCertificate(cbcOnly.certPem, address).capabilities).toEqual({
      oaep: false,
      gcm: false,
    });
  });

  it('normalizes the PEM it returns so it reads back as the same certificate', () => {
    const address = randomAddress();
    const { certPem } = issueSmimeCertificate(ca, { address });
    const messy = '\n  ' + certPem.replace(/\n/g, '\r\n   ') + '\ntrailing words';

    const inspected = inspectCertificate(messy, address);

    expect(inspected.pem).toBe(certPem.replace(/\r\n/g, '\n'));
  });

  it.each<[string, () => { pem: string; address: string; now?: Date }, SmimeCertificateProblem]>([
    [
      'an expired certificate',
      () => {
        const address = randomAddress();
        const pem = issueSmimeCertificate(ca, {
          address,
          notBefore: new Date(Date.now() - 10 * DAY_MS),
          notAfter: new Date(Date.now() - DAY_MS),
        }).certPem;
        return { pem, address };
      },
      'expired',
    ],
    [
      'a certificate not valid yet',
      () => {
        const address = randomAddress();
        const pem = issueSmimeCertificate(ca, {
          address,
          notBefore: new Date(Date.now() + DAY_MS),
          notAfter: new Date(Date.now() + 10 * DAY_MS),
        }).certPem;
        return { pem, address };
      },
      'not_yet_valid',
    ],
    [
      'a certificate checked at a time after its end',
      () => {
        const address = randomAddress();
        const pem = issueSmimeCertificate(ca, { address }).certPem;
        return { pem, address, now: new Date(Date.now() + 60 * DAY_MS) };
      },
      'expired',
    ],
    [
      'a certificate for another address',
      () => ({
        pem: issueSmimeCertificate(ca, { address: randomAddress() }).certPem,
        address: randomAddress(),
      }),
      'address_mismatch',
    ],
    [
      'a certificate without keyEncipherment',
      () => {
        const address = randomAddress();
        const pem = issueSmimeCertificate(ca, { address, keyEncipherment: false }).certPem;
        return { pem, address };
      },
      'no_key_encipherment',
    ],
    [
      'a server certificate (extKeyUsage without emailProtection)',
      () => {
        const address = randomAddress();
        const pem = issueSmimeCertificate(ca, { address, extendedKeyUsage: 'serverAuth' }).certPem;
        return { pem, address };
      },
      'not_for_email_protection',
    ],
    [
      'a 1024-bit RSA key',
      () => {
        const address = randomAddress();
        return { pem: issueSmimeCertificate(ca, { address, keyBits: 1024 }).certPem, address };
      },
      'unsupported_key',
    ],
    [
      'text that is not PEM',
      () => ({ pem: 'not a certificate', address: 'a@b.example' }),
      'malformed',
    ],
    [
      'a PEM block holding garbage',
      () => ({
        pem: '-----BEGIN CERTIFICATE-----\nAAAAbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
        address: 'a@b.example',
      }),
      'malformed',
    ],
  ])('refuses %s', (_name, make, problem) => {
    const { pem, address, now } = make();

    expect(problemOf(() => inspectCertificate(pem, address, { now }))).toBe(problem);
  });

  it('refuses an EC key, which cannot do RSA key transport', async () => {
    const address = randomAddress();
    const dir = await makeTempDir();
    try {
      const certFile = join(dir.path, 'ec.pem');
      await opensslOutput([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir.path, 'ec-key.pem'),
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=ec',
        '-addext',
        `subjectAltName=email:${address}`,
      ]);
      const pem = await readFile(certFile, 'utf8');

      expect(problemOf(() => inspectCertificate(pem, address))).toBe('unsupported_key');
    } finally {
      await dir.remove();
    }
  });

  it('gives a 4xx reason that quotes neither the certificate nor the address', () => {
    const address = randomAddress();
    const pem = issueSmimeCertificate(ca, { address: randomAddress() }).certPem;

    let caught: unknown;
    try {
      inspectCertificate(pem, address);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(SmimeCertificateError);
    const error = caught as SmimeCertificateError;
    expect(error.httpStatus).toBe(422);
    expect(error.message).toMatch(/^The certificate .+\.$/);
    expect(error.message).not.toContain(address.split('@')[0]);
    expect(error.message).not.toContain('clinic.example');
    expect(error.message).not.toContain('Sealpost');
  });

  describe('with a CA bundle', () => {
    it('accepts a certificate issued by a bundled CA', () => {
      const address = randomAddress();
      const { certPem } = issueSmimeCertificate(ca, { address });

      const inspected = inspectCertificate(certPem, address, { trustedCaPems: [ca.certPem] });

      expect(inspected.subjectAddresses).toEqual([address]);
    });

    it('refuses a certificate whose issuer is not in the bundle', () => {
      const address = randomAddress();
      const stranger = createTestCa('Unknown CA');
      const { certPem } = issueSmimeCertificate(stranger, { address });

      const problem = problemOf(() =>
        inspectCertificate(certPem, address, { trustedCaPems: [ca.certPem] }),
      );

      expect(problem).toBe('untrusted_chain');
    });

    it('follows intermediates sent after the leaf, and refuses the leaf without them', () => {
      const address = randomAddress();
      const intermediate = issueIntermediateCa(ca);
      const { certPem } = issueSmimeCertificate(intermediate, { address });
      const options = { trustedCaPems: [ca.certPem] };

      const inspected = inspectCertificate(certPem + intermediate.certPem, address, options);

      expect(inspected.pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      expect(problemOf(() => inspectCertificate(certPem, address, options))).toBe(
        'untrusted_chain',
      );
    });

    it('refuses a certificate whose issuer name matches but whose signature does not', () => {
      const address = randomAddress();
      const impostor = createTestCa('Sealpost S/MIME Test CA');
      const { certPem } = issueSmimeCertificate(impostor, { address });

      const problem = problemOf(() =>
        inspectCertificate(certPem, address, { trustedCaPems: [ca.certPem] }),
      );

      expect(problem).toBe('untrusted_chain');
    });
  });
});
