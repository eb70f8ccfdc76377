import { receivedField } from './received-trace';

describe('receivedField', () => {
  const trace = {
    heloName: 'mail.clinic.example',
    clientHostname: '[192.0.2.7]',
    remoteAddress: '192.0.2.7',
    by: 'gateway.sealpost.example',
    protocol: 'ESMTPSA',
    id: 'abc123',
    at: new Date('2026-12-04T22:10:05Z'),
  };

  it('names the client, this gateway, the protocol, the session and the time', () => {
    const field = receivedField(trace).replace(/\r?\n\s+/g, ' ');

    expect(field).toBe(
      'Received: from mail.clinic.example ([192.0.2.7] [192.0.2.7]) by ' +
        'gateway.sealpost.example (Sealpost) with ESMTPSA id abc123; ' +
        'Fri, 04 Dec 2026 22:10:05 +0000',
    );
  });

  it('keeps only name characters of what the client said, and folds long lines', () => {
    const field = receivedField({ ...trace, heloName: 'evil)(x; by\tspoof "a"' });

    expect(field).toMatch(/^Received: from evilxbyspoofa \(/);
    expect(field.split(/\r?\n/).every((line) => line.length <= 78)).toBe(true);
  });
});
