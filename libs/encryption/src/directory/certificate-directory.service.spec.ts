import { randomBytes } from 'node:crypto';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import {
  issueIntermediateCa,
  issueSmimeCertificate,
} from '../smime/testing/smime-test-certificates';
import { chooseUsableCertificate } from './certificate-directory.service';

const DAY_MS = 24 * 3600 * 1000;
const address = () => `patient.${randomBytes(4).toString('hex')}@clinic.example`;

describe('chooseUsableCertificate', () => {
  let trusted: TestCa;
  let stranger: TestCa;

  beforeAll(() => {
    trusted = createTestCa('Trusted S/MIME CA');
    stranger = createTestCa('Unknown S/MIME CA');
  });

  it('uses a certificate issued by a configured CA', () => {
    const owner = address();
    const { certPem } = issueSmimeCertificate(trusted, { address: owner });

    const lookup = chooseUsableCertificate([{ pem: certPem }], owner, [trusted.certPem]);

    expect(lookup).toEqual({ usable: true, material: { pem: certPem, supportsGcm: false } });
  });

  it('uses a certificate stored with the intermediate that links it to the CA', () => {
    const owner = address();
    const intermediate = issueIntermediateCa(trusted);
    const { certPem } = issueSmimeCertificate(intermediate, { address: owner });
    const stored = certPem + intermediate.certPem;

    expect(chooseUsableCertificate([{ pem: stored }], owner, [trusted.certPem]).usable).toBe(true);
    expect(chooseUsableCertificate([{ pem: certPem }], owner, [trusted.certPem])).toEqual({
      usable: false,
      reason: 'S/MIME certificate does not chain to a trusted CA',
    });
  });

  it('does not use a certificate of another issuer once a CA bundle is configured', () => {
    const owner = address();
    const { certPem } = issueSmimeCertificate(stranger, { address: owner });

    expect(chooseUsableCertificate([{ pem: certPem }], owner, []).usable).toBe(true);
    expect(chooseUsableCertificate([{ pem: certPem }], owner, [trusted.certPem])).toEqual({
      usable: false,
      reason: 'S/MIME certificate does not chain to a trusted CA',
    });
  });

  it('falls back to an older certificate that still chains when the newest does not', () => {
    const owner = address();
    const newest = issueSmimeCertificate(stranger, { address: owner }).certPem;
    const older = issueSmimeCertificate(trusted, { address: owner }).certPem;

    const lookup = chooseUsableCertificate([{ pem: newest }, { pem: older }], owner, [
      trusted.certPem,
    ]);

    expect(lookup).toEqual({ usable: true, material: { pem: older, supportsGcm: false } });
  });

  it('names other problems by their code', () => {
    const owner = address();
    const { certPem } = issueSmimeCertificate(trusted, {
      address: owner,
      notBefore: new Date(Date.now() - 10 * DAY_MS),
      notAfter: new Date(Date.now() - DAY_MS),
    });

    expect(chooseUsableCertificate([{ pem: certPem }], owner, [trusted.certPem])).toEqual({
      usable: false,
      reason: 'S/MIME certificate expired',
    });
    expect(chooseUsableCertificate([], owner)).toEqual({
      usable: false,
      reason: 'no S/MIME certificate',
    });
  });
});
