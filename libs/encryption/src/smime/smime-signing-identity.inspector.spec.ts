import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import { SmimeCertificateError, type SmimeCertificateProblem } from './smime-certificate.error';
import { signMimeEntity } from './smime-signer';
import {
  inspectSigningIdentity,
  type SigningIdentityInput,
} from './smime-signing-identity.inspector';
import { makeTempDir, runOpenssl } from './testing/openssl.runner';
import {
  issueIntermediateCa,
  issueSmimeCertificate,
  type SmimeCertificateRequest,
} from './testing/smime-test-certificates';

const DAY_MS = 24 * 3600 * 1000;

function problemOf(input: SigningIdentityInput): SmimeCertificateProblem | 'no error' {
  try {
    inspectSigningIdentity(input);
    return 'no error';
  } catch (error) {
    if (error instanceof SmimeCertificateError) {
      return error.code;
    }
    throw error;
  }
}

describe('inspectSigningIdentity', () => {
  let ca: TestCa;
  const identity = (request: SmimeCertificateRequest = {}) =>
    issueSmimeCertificate(ca, {
      address: `noreply-${randomBytes(3).toString('hex')}@clinic.example`,
      extendedKeyUsage: 'emailProtection',
      keyEncipherment: false,
      ...request,
    });

  beforeAll(() => {
    ca = createTestCa('Sealpost S/MIME Signing Test CA');
  });

  it('accepts a PKCS#1 key and keeps it as PKCS#8 beside a clean certificate', () => {
    const { certPem, keyPem } = identity();
    const pkcs1 = createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();

    const inspected = inspectSigningIdentity({ certificatePem: certPem, privateKeyPem: pkcs1 });

    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(inspected.signer.keyPem).toContain('BEGIN PRIVATE KEY');
    expect(inspected.signer.certPem.trim()).toBe(certPem.replace(/\r\n/g, '\n').trim());
    expect(inspected.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps intermediates given after the certificate or apart, so OpenSSL verifies', async () => {
    const intermediate = issueIntermediateCa(ca);
    const { certPem, keyPem } = issueSmimeCertificate(intermediate, {
      address: 'noreply@clinic.example',
      keyEncipherment: false,
    });
    const dir = await makeTempDir();
    try {
      await writeFile(join(dir.path, 'ca.pem'), ca.certPem);
      for (const input of [
        { certificatePem: certPem + intermediate.certPem, privateKeyPem: keyPem },
        { certificatePem: certPem, chainPems: [intermediate.certPem], privateKeyPem: keyPem },
      ]) {
        const { signer } = inspectSigningIdentity(input);
        const signed = signMimeEntity(
          Buffer.from('Content-Type: text/plain\r\n\r\nhi\r\n'),
          signer,
        );
        await writeFile(join(dir.path, 'signed.eml'), signed);

        const verified = await runOpenssl([
          'cms',
          '-verify',
          '-in',
          join(dir.path, 'signed.eml'),
          '-CAfile',
          join(dir.path, 'ca.pem'),
        ]);

        expect(signer.chainPems).toHaveLength(1);
        expect(verified.stderr).toContain('Verification successful');
      }
    } finally {
      await dir.remove();
    }
  });

  it.each<[SmimeCertificateProblem, () => SigningIdentityInput]>([
    [
      'malformed',
      () => ({ certificatePem: 'not a certificate', privateKeyPem: identity().keyPem }),
    ],
    ['malformed_key', () => ({ certificatePem: identity().certPem, privateKeyPem: 'not a key' })],
    [
      'malformed_key',
      () => {
        const { certPem, keyPem } = identity();
        const encrypted = createPrivateKey(keyPem)
          .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
          .toString();
        return { certificatePem: certPem, privateKeyPem: encrypted };
      },
    ],
    [
      'key_mismatch',
      () => ({ certificatePem: identity().certPem, privateKeyPem: identity().keyPem }),
    ],
    [
      'unsupported_key',
      () => {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        return { certificatePem: identity().certPem, privateKeyPem: keyPem };
      },
    ],
    [
      'expired',
      () => {
        const past = identity({
          notBefore: new Date(Date.now() - 10 * DAY_MS),
          notAfter: new Date(Date.now() - DAY_MS),
        });
        return { certificatePem: past.certPem, privateKeyPem: past.keyPem };
      },
    ],
    [
      'not_yet_valid',
      () => {
        const future = identity({ notBefore: new Date(Date.now() + DAY_MS) });
        return { certificatePem: future.certPem, privateKeyPem: future.keyPem };
      },
    ],
    [
      'no_digital_signature',
      () => {
        const noSign = identity({ digitalSignature: false, keyEncipherment: true });
        return { certificatePem: noSign.certPem, privateKeyPem: noSign.keyPem };
      },
    ],
    [
      'not_for_email_protection',
      () => {
        const server = identity({ extendedKeyUsage: 'serverAuth' });
        return { certificatePem: server.certPem, privateKeyPem: server.keyPem };
      },
    ],
  ])('refuses an identity as %s', (problem, make) => {
    expect(problemOf(make())).toBe(problem);
  });

  it('accepts a certificate without an extended key usage extension', () => {
    const { certPem, keyPem } = identity({ extendedKeyUsage: undefined });

    expect(problemOf({ certificatePem: certPem, privateKeyPem: keyPem })).toBe('no error');
  });
});
