import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SmtpSink } from '@sealpost/test-peers';
import { OpensslRecipient } from './support/recipient-peers';
import { SmimeSigningIdentity } from './support/smime-signing-identity';
import { Stack } from './support/stack';

const unique = () => randomBytes(4).toString('hex');
const SIGNING_PATH = '/v1/organisation/smime/signing-certificate';

describe('S/MIME mail signed with the organisation certificate, judged by OpenSSL', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let org: { id: string; token: string };
  let other: { id: string; token: string };
  let recipient: OpensslRecipient;
  let signer: SmimeSigningIdentity;

  beforeAll(async () => {
    sink = await SmtpSink.start({});
    stack = await Stack.start({
      env: { SEALPOST_TRANSPORT_MAP: `smime.test=127.0.0.1:${sink.port}` },
    });
    org = await stack.organisation('messages:send,messages:read,keys:manage');
    other = await stack.organisation('messages:send,messages:read,keys:manage');
    recipient = await OpensslRecipient.create(`doctor.${unique()}@smime.test`);
    signer = await SmimeSigningIdentity.create('secure@sender.test');
    for (const tenant of [org, other]) {
      const uploaded = await stack.request('POST', '/v1/certificates/smime', {
        token: tenant.token,
        body: { address: recipient.address, certificate: await recipient.certificate() },
      });
      expect(uploaded.status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await sink?.close();
    recipient?.dispose();
    signer?.dispose();
  });

  /** Sends one message with text, HTML and a binary attachment; returns it and its copy. */
  const send = async (tenant: { token: string }) => {
    const content = {
      subject: `Pathology report ${unique()}`,
      text: `The margins are clear ${unique()}.`,
      html: `<p>The margins are <b>clear</b> ${unique()}.</p>`,
      attachment: randomBytes(3000),
    };
    const accepted = await stack.request('POST', '/v1/messages', {
      token: tenant.token,
      body: {
        from: 'Clinic <secure@sender.test>',
        to: [recipient.address],
        subject: content.subject,
        text: content.text,
        html: content.html,
        attachments: [
          {
            filename: 'report.bin',
            contentType: 'application/octet-stream',
            content: content.attachment.toString('base64'),
          },
        ],
      },
    });
    expect(accepted.status).toBe(202);
    const settled = await stack.waitForMessage(tenant.token, accepted.body.id);
    expect(settled.recipients[0]).toMatchObject({ status: 'delivered', method: 'smime' });
    const copy = sink.messages.find((m) => m.raw.includes(accepted.body.id));
    if (!copy) {
      throw new Error('no copy received for the message');
    }
    return { content, raw: copy.raw };
  };

  it('refuses a key that does not belong to the certificate, with its reason', async () => {
    const stranger = await SmimeSigningIdentity.create('secure@sender.test');
    try {
      const reply = await stack.request('PUT', SIGNING_PATH, {
        token: org.token,
        body: { certificate: signer.certificatePem, privateKey: stranger.privateKeyPem },
      });

      expect(reply.status).toBe(422);
      expect(reply.body.details).toEqual([{ path: 'privateKey', message: 'key_mismatch' }]);
    } finally {
      stranger.dispose();
    }
  });

  it('signs then encrypts: OpenSSL decrypts, verifies the signature, parts match', async () => {
    const stored = await stack.request('PUT', SIGNING_PATH, {
      token: org.token,
      body: { certificate: signer.certificatePem, privateKey: signer.privateKeyPem },
    });
    expect(stored.status).toBe(200);
    expect(stored.text).not.toContain('PRIVATE KEY');

    const { content, raw } = await send(org);
    const viaCms = await recipient.decrypt(raw, 'cms');
    const viaSmime = await recipient.decrypt(raw, 'smime');
    const signedContent = await signer.verify(viaCms);

    expect(raw.toString('latin1')).not.toContain(content.text);
    expect(viaSmime.equals(viaCms)).toBe(true);
    expect(viaCms.toString('latin1')).toMatch(/^Content-Type: multipart\/signed;/);
    const inner = await simpleParser(signedContent);
    expect(inner.subject).toBe(content.subject);
    expect(inner.text?.trim()).toBe(content.text);
    expect(inner.html).toContain(content.html);
    expect(inner.attachments).toHaveLength(1);
    expect(inner.attachments[0].content.equals(content.attachment)).toBe(true);
  });

  it('keeps the certificate to its organisation: another sees none, sends unsigned', async () => {
    const seen = await stack.request('GET', '/v1/organisation/smime', { token: other.token });
    const removed = await stack.request('DELETE', SIGNING_PATH, { token: other.token });

    const { content, raw } = await send(other);
    const opened = await recipient.decrypt(raw);

    expect(seen.body.data).toEqual([]);
    expect(removed.status).toBe(404);
    expect(opened.toString('latin1')).not.toMatch(/multipart\/signed/);
    expect((await simpleParser(opened)).text?.trim()).toBe(content.text);
  });

  it('keeps the private key, recipient and content out of the logs', async () => {
    const { content } = await send(org);
    const keyLine = signer.privateKeyPem.split('\n').find((line) => line.length > 40) ?? '';
    const logs = stack.logs();

    expect(logs).toContain('organisation S/MIME signing certificate stored');
    for (const secret of [keyLine, recipient.address, content.subject, content.text]) {
      expect(secret.length).toBeGreaterThan(0);
      expect(logs).not.toContain(secret);
    }
  });
});
