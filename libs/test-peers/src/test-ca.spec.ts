import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createTestCa, issueEmailCertificate } from './test-ca';

describe('issueEmailCertificate', () => {
  const ca = createTestCa();

  it('issues an RSA-2048 certificate for the address, signed by the CA', () => {
    const issued = issueEmailCertificate(ca, 'doctor@hospital.test');
    const cert = new X509Certificate(issued.certPem);
    const caCert = new X509Certificate(ca.certPem);

    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('email:doctor@hospital.test');
    expect(cert.checkEmail('doctor@hospital.test')).toBe('doctor@hospital.test');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.4']);
    expect(cert.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
  });

  it('refuses to vouch for another address', () => {
    const cert = new X509Certificate(issueEmailCertificate(ca, 'a@hospital.test').certPem);
    expect(cert.checkEmail('b@hospital.test')).toBeUndefined();
  });
});
