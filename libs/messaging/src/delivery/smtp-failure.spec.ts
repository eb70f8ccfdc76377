import { classifySmtpError, SmtpFailure } from './smtp-failure';

const HOST = 'mx1.clinic.test';

/** An error shaped like those nodemailer's SMTPConnection emits. */
function smtpError(fields: {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}): Error {
  return Object.assign(new Error(fields.message ?? 'smtp error'), fields);
}

describe('classifySmtpError', () => {
  it('returns an SmtpFailure, which is an Error', () => {
    const failure = classifySmtpError(smtpError({ code: 'ECONNECTION' }), HOST);

    expect(failure).toBeInstanceOf(SmtpFailure);
    expect(failure).toBeInstanceOf(Error);
    expect(failure.message).toBe(failure.reason);
  });

  describe('TLS', () => {
    it('treats a refused STARTTLS as a TLS failure and keeps the reply', () => {
      const response = '454 4.7.0 TLS not available due to local problem';

      const failure = classifySmtpError(
        smtpError({
          message: `Error upgrading connection with STARTTLS: ${response}`,
          code: 'ETLS',
          command: 'STARTTLS',
          responseCode: 454,
          response,
        }),
        HOST,
      );

      expect(failure.kind).toBe('tls');
      expect(failure.reason).toBe(`${HOST} offered no STARTTLS (reply 454)`);
      expect(failure.responseCode).toBe(454);
      expect(failure.response).toBe(response);
    });

    it.each([
      ['CERT_HAS_EXPIRED', 'certificate has expired'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate is self-signed'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'certificate chain ends in an untrusted self-signed root'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate chain cannot be verified'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate does not match the host name'],
      ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'server offers no TLS version of 1.2 or later'],
      ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'server offers no TLS version of 1.2 or later'],
    ])('explains a socket error with original code %s', (originalCode, explanation) => {
      const failure = classifySmtpError(
        smtpError({ message: 'raw openssl text', code: 'ESOCKET', originalCode, command: 'CONN' }),
        HOST,
      );

      expect(failure.kind).toBe('tls');
      expect(failure.reason).toBe(`TLS with ${HOST} failed: ${explanation}`);
    });

    it('explains a known original code under ETLS too', () => {
      const failure = classifySmtpError(
        smtpError({ code: 'ETLS', originalCode: 'CERT_HAS_EXPIRED' }),
        HOST,
      );

      expect(failure).toMatchObject({
        kind: 'tls',
        reason: `TLS with ${HOST} failed: certificate has expired`,
      });
    });

    it('gives the library message, without its prefix, for a TLS error it cannot name', () => {
      const failure = classifySmtpError(
        smtpError({
          message: 'Error initiating TLS - unable to get local issuer certificate',
          code: 'ETLS',
          command: 'STARTTLS',
        }),
        HOST,
      );

      expect(failure).toMatchObject({
        kind: 'tls',
        reason: `TLS with ${HOST} failed: unable to get local issuer certificate`,
      });
    });

    it('prefixes an unknown TLS original code to the message', () => {
      const failure = classifySmtpError(
        smtpError({ message: 'wrong version number', code: 'ESOCKET', originalCode: 'EPROTO' }),
        HOST,
      );

      expect(failure).toMatchObject({
        kind: 'tls',
        reason: `TLS with ${HOST} failed: EPROTO: wrong version number`,
      });
    });

    it('keeps at most 200 characters of the library message', () => {
      const failure = classifySmtpError(
        smtpError({ message: 'x'.repeat(500), code: 'ETLS' }),
        HOST,
      );

      expect(failure.reason).toBe(`TLS with ${HOST} failed: ${'x'.repeat(200)}`);
    });
  });

  describe('SMTP replies', () => {
    it.each([500, 550, 553, 554])('treats reply %i as permanent', (responseCode) => {
      const failure = classifySmtpError(
        smtpError({ code: 'EENVELOPE', command: 'RCPT TO', responseCode, response: 'no' }),
        HOST,
      );

      expect(failure).toMatchObject({
        kind: 'permanent',
        reason: `${HOST} refused the message (${responseCode})`,
        responseCode,
        atRecipient: true,
      });
    });

    it('marks a permanent refusal of the message itself (DATA) as not about the address', () => {
      const failure = classifySmtpError(
        smtpError({ code: 'EMESSAGE', command: 'DATA', responseCode: 554, response: 'spam' }),
        HOST,
      );

      expect(failure).toMatchObject({ kind: 'permanent', atRecipient: false });
    });

    it.each([421, 450, 451, 452])('treats reply %i as temporary', (responseCode) => {
      const failure = classifySmtpError(
        smtpError({ code: 'EENVELOPE', command: 'RCPT TO', responseCode, response: 'later' }),
        HOST,
      );

      expect(failure).toMatchObject({
        kind: 'temporary',
        reason: `${HOST} deferred the message (${responseCode})`,
        responseCode,
      });
    });

    it.each([
      [550, 'EENVELOPE', 'RCPT TO'],
      [452, 'EENVELOPE', 'RCPT TO'],
      [554, 'EMESSAGE', 'DATA'],
    ])(
      'keeps the reply text of a %i on the failure but out of its reason',
      (responseCode, code, command) => {
        const address = 'jane.doe@clinic.test';
        const response = `${responseCode} 5.1.1 <${address}>: Recipient address rejected`;

        const failure = classifySmtpError(
          smtpError({
            message: `Can't send mail - all recipients were rejected: ${response}`,
            code,
            command,
            responseCode,
            response,
          }),
          HOST,
        );

        expect(failure.response).toBe(response);
        expect(failure.reason).not.toContain(address);
        expect(failure.reason).not.toContain('Recipient address rejected');
        expect(failure.message).not.toContain(address);
      },
    );
  });

  describe('connection problems', () => {
    it.each(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND'])(
      'treats %s as temporary and names it',
      (originalCode) => {
        const failure = classifySmtpError(
          smtpError({ code: 'ESOCKET', originalCode, command: 'CONN' }),
          HOST,
        );

        expect(failure).toMatchObject({
          kind: 'temporary',
          reason: `connection to ${HOST} failed (${originalCode})`,
          responseCode: undefined,
        });
      },
    );

    it('treats a timeout as temporary', () => {
      const failure = classifySmtpError(smtpError({ code: 'ETIMEDOUT' }), HOST);

      expect(failure).toMatchObject({
        kind: 'temporary',
        reason: `connection to ${HOST} failed (ETIMEDOUT)`,
      });
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['a string', 'boom'],
      ['an Error without a code', new Error('boom')],
    ])('treats %s as a temporary unknown error', (_case, thrown) => {
      const failure = classifySmtpError(thrown, HOST);

      expect(failure).toMatchObject({
        kind: 'temporary',
        reason: `connection to ${HOST} failed (unknown error)`,
      });
    });
  });
});
