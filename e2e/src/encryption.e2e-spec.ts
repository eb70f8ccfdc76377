import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GnupgRecipient, OpensslRecipient } from './support/recipient-peers';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const unique = () => randomBytes(4).toString('hex');

describe('per-recipient encryption: PGP for GnuPG, S/MIME for OpenSSL, verified TLS', () => {
  let sink: SmtpSink;
  let plain: SmtpSink;
  let stack: Stack;
  let org: { id: string; token: string };
  let gnupg: GnupgRecipient;
  let openssl: OpensslRecipient;

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-enc-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    plain = await SmtpSink.start({});
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP:
          `enc.test=127.0.0.1:${sink.port},` + `plain.test=127.0.0.1:${plain.port}`,
      },
    });
    org = await stack.organisation('messages:send,messages:read,keys:manage,policy:manage');
    gnupg = await GnupgRecipient.create(`patient.${unique()}@plain.test`);
    openssl = await OpensslRecipient.create(`doctor.${unique()}@enc.test`);
  });

  afterAll(async () => {
    await stack?.stop();
    await sink?.close();
    await plain?.close();
    gnupg?.dispose();
    openssl?.dispose();
  });

  it('uploads keys and certificates, and refuses a key for another address', async () => {
    const key = await stack.request('POST', '/v1/keys/pgp', {
      token: org.token,
      body: { address: gnupg.address, armoredKey: await gnupg.publicKey() },
    });
    const certificate = await stack.request('POST', '/v1/certificates/smime', {
      token: org.token,
      body: { address: openssl.address, certificate: await openssl.certificate() },
    });
    const wrong = await stack.request('POST', '/v1/keys/pgp', {
      token: org.token,
      body: { address: `someone.else@plain.test`, armoredKey: await gnupg.publicKey() },
    });

    expect(key.status).toBe(201);
    expect(certificate.status).toBe(201);
    expect(wrong.status).toBe(422);
    expect(wrong.body.details).toEqual([{ path: 'armoredKey', message: 'address_mismatch' }]);
  });

  it('previews the method each recipient would get, with reasons', async () => {
    const tlsOnly = `nurse.${unique()}@enc.test`;
    const reply = await stack.request('POST', '/v1/policy/preview', {
      token: org.token,
      body: {
        from: 'clinic@sender.test',
        recipients: [gnupg.address, openssl.address, tlsOnly, `x.${unique()}@plain.test`],
        subject: 'Results',
      },
    });

    expect(reply.status).toBe(200);
    const methods = reply.body.recipients.map((r: { method: string }) => r.method);
    expect(methods).toEqual(['pgp', 'smime', 'tls', 'portal']);
    const [, , tls, portal] = reply.body.recipients;
    expect(tls.reasons).toEqual(expect.arrayContaining(['no PGP key', 'no S/MIME certificate']));
    expect(portal.action).toBe('send');
    expect(portal.reasons).toEqual(
      expect.arrayContaining(['127.0.0.1 offered no STARTTLS', 'secure portal']),
    );
  });

  it('sends one message by PGP, S/MIME and TLS to three recipients, each opening it', async () => {
    const tlsOnly = `nurse.${unique()}@enc.test`;
    const subject = `Biopsy results ${unique()}`;
    const text = `The biopsy is benign ${unique()}.`;
    const html = `<p>The biopsy is <b>benign</b> ${unique()}.</p>`;
    const attachment = randomBytes(2048);
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: {
        from: 'Clinic <clinic@sender.test>',
        to: [gnupg.address, openssl.address, tlsOnly],
        subject,
        text,
        html,
        attachments: [
          {
            filename: 'report.bin',
            contentType: 'application/octet-stream',
            content: attachment.toString('base64'),
          },
        ],
      },
    });
    expect(accepted.status).toBe(202);

    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    const byAddress = Object.fromEntries(
      settled.recipients.map((r: { address: string }) => [r.address, r]),
    );
    expect(byAddress[gnupg.address]).toMatchObject({ status: 'delivered', method: 'pgp' });
    expect(byAddress[openssl.address]).toMatchObject({ status: 'delivered', method: 'smime' });
    expect(byAddress[tlsOnly]).toMatchObject({ status: 'delivered', method: 'tls' });
    expect(byAddress[tlsOnly].decision.reasons).toEqual(
      expect.arrayContaining(['no PGP key', 'no S/MIME certificate']),
    );

    const received = (address: string) => {
      const copy = [...plain.messages, ...sink.messages].find((m) => m.to[0] === address);
      if (!copy) {
        throw new Error(`nothing received for ${address}`);
      }
      return copy.raw;
    };
    const opened = [
      await gnupg.decrypt(received(gnupg.address)),
      await openssl.decrypt(received(openssl.address)),
    ];
    for (const [index, raw] of [received(gnupg.address), received(openssl.address)].entries()) {
      expect(raw.toString('latin1')).not.toContain(subject);
      expect(raw.toString('latin1')).not.toContain(text);
      const inner = await simpleParser(opened[index]);
      expect(inner.text?.trim()).toBe(text);
      expect(inner.html).toContain(html);
      expect(Buffer.compare(inner.attachments[0].content, attachment)).toBe(0);
    }
    const tlsCopy = await simpleParser(received(tlsOnly));
    expect(tlsCopy.subject).toBe(subject);
  });

  it('signs PGP mail with the organisation key and encrypts it to the archive too', async () => {
    const archive = await GnupgRecipient.create(`archive.${unique()}@sender.test`);
    try {
      const signing = await stack.request('PUT', '/v1/organisation/pgp/signing-key', {
        token: org.token,
        body: { name: 'Example Clinic', email: 'secure@sender.test' },
      });
      const archived = await stack.request('PUT', '/v1/organisation/pgp/archive-key', {
        token: org.token,
        body: { armoredKey: await archive.publicKey() },
      });
      const recipientKey = await stack.request('POST', '/v1/keys/pgp', {
        token: org.token,
        body: { address: gnupg.address, armoredKey: await gnupg.publicKey() },
      });
      expect([signing.status, archived.status, recipientKey.status]).toEqual([200, 200, 201]);
      await gnupg.importKey(signing.body.publicKey);
      await archive.importKey(signing.body.publicKey);

      const text = `Signed and archived ${unique()}.`;
      const accepted = await stack.request('POST', '/v1/messages', {
        token: org.token,
        body: { from: 'clinic@sender.test', to: [gnupg.address], subject: 'Note', text },
      });
      const settled = await stack.waitForMessage(org.token, accepted.body.id);
      expect(settled.recipients[0]).toMatchObject({ status: 'delivered', method: 'pgp' });
      const copy = plain.messages.filter((m) => m.to[0] === gnupg.address).at(-1);
      if (!copy) {
        throw new Error('no copy received');
      }

      const opened = await gnupg.decryptWithStatus(copy.raw);
      expect(opened.status).toMatch(/GOODSIG/);
      expect(opened.status).toContain(`VALIDSIG ${signing.body.fingerprint}`);
      expect((await simpleParser(opened.plaintext)).text?.trim()).toBe(text);
      const byArchive = await simpleParser(await archive.decrypt(copy.raw));
      expect(byArchive.text?.trim()).toBe(text);
    } finally {
      archive.dispose();
    }
  });

  it('applies a stored policy: invalid ones are refused, the subject tag is removed', async () => {
    const invalid = await stack.request('PUT', '/v1/policy', {
      token: org.token,
      body: { methodOrder: ['carrier-pigeon'] },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.length).toBeGreaterThan(1);

    const current = await stack.request('GET', '/v1/policy', { token: org.token });
    const policy = {
      ...current.body,
      protection: { ...current.body.protection, mode: 'rules', subjectTag: '[secure]' },
    };
    const stored = await stack.request('PUT', '/v1/policy', { token: org.token, body: policy });
    expect(stored.status).toBe(200);

    const to = `nurse.${unique()}@enc.test`;
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'clinic@sender.test', to: [to], subject: '[secure] Lab work', text: 'Hi.' },
    });
    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    const copy = sink.messages.find((m) => m.to[0] === to);

    expect(settled.recipients[0]).toMatchObject({ status: 'delivered', method: 'tls' });
    expect(settled.recipients[0].decision.protectionRequired).toBe(true);
    expect((await simpleParser(copy?.raw ?? Buffer.alloc(0))).subject).toBe('Lab work');
  });
});
