import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { freePort } from './support/free-port';
import { GatewayProcesses } from './support/gateway-process';
import { GnupgRecipient, OpensslRecipient } from './support/recipient-peers';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const unique = () => randomBytes(4).toString('hex');

function compose(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    new MailComposer(mail).compile().build((error, raw) => (error ? reject(error) : resolve(raw))),
  );
}

/** The message after its header block, byte for byte. */
const bodyOf = (raw: Buffer) => raw.subarray(raw.indexOf('\r\n\r\n'));

describe('SMTP gateway end to end: policy per recipient, durability, logs', () => {
  let tlsSink: SmtpSink;
  let plainSink: SmtpSink;
  let stack: Stack;
  let gateways: GatewayProcesses;
  let org: { name: string; token: string };
  let client: () => Transporter;
  const marker = `Creatinine ${unique()} mg/dL`;

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-gw-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    tlsSink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    plainSink = await SmtpSink.start({});
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP:
          `enc.test=127.0.0.1:${tlsSink.port},` + `plain.test=127.0.0.1:${plainSink.port}`,
        SEALPOST_LOG_LEVEL: 'debug',
      },
    });
    gateways = GatewayProcesses.create(stack, await freePort());
    await gateways.start();

    org = { name: `clinic-${unique()}`, token: '' };
    await stack.cli('org', 'create', org.name, '--json');
    const scopes = 'messages:send,messages:read,keys:manage,policy:manage';
    org.token = JSON.parse(
      await stack.cli('api-key', 'create', '--org', org.name, '--scopes', scopes, '--json'),
    ).token;
    const credential = JSON.parse(
      await stack.cli('gateway', 'credential', 'create', '--org', org.name, '--json'),
    );
    client = () =>
      createTransport({
        host: '127.0.0.1',
        port: gateways.port,
        secure: false,
        requireTLS: true,
        tls: { ca: [gateways.ca.certPem], servername: 'localhost' },
        auth: { user: credential.username, pass: credential.password },
      });
  });

  afterAll(async () => {
    await gateways?.stop();
    await stack?.stop();
    await tlsSink?.close();
    await plainSink?.close();
  });

  it('encrypts a tagged message per recipient and keeps the original for TLS', async () => {
    const gnupg = await GnupgRecipient.create(`patient.${unique()}@plain.test`);
    const openssl = await OpensslRecipient.create(`doctor.${unique()}@enc.test`);
    const tls = `nurse.${unique()}@enc.test`;
    const portal = `carer.${unique()}@plain.test`;
    try {
      await stack.request('POST', '/v1/keys/pgp', {
        token: org.token,
        body: { address: gnupg.address, armoredKey: await gnupg.publicKey() },
      });
      await stack.request('POST', '/v1/certificates/smime', {
        token: org.token,
        body: { address: openssl.address, certificate: await openssl.certificate() },
      });
      const current = await stack.request('GET', '/v1/policy', { token: org.token });
      await stack.request('PUT', '/v1/policy', {
        token: org.token,
        body: { ...current.body, protection: { ...current.body.protection, mode: 'rules' } },
      });
      const original = await compose({
        from: 'Dr Ada <ada@clinic.example>',
        to: [gnupg.address, openssl.address, tls],
        subject: '[secure] Lab results',
        text: marker,
        attachments: [{ filename: 'results.txt', content: marker }],
      });

      const info = await client().sendMail({
        envelope: { from: 'ada@clinic.example', to: [gnupg.address, openssl.address, tls, portal] },
        raw: original,
      });
      const id = /accepted as (\S+)/.exec(info.response ?? '')?.[1] ?? '';
      const settled = await stack.waitForMessage(org.token, id);

      const methods = Object.fromEntries(
        settled.recipients.map((r: { address: string; method: string }) => [r.address, r.method]),
      );
      expect(methods).toEqual({
        [gnupg.address]: 'pgp',
        [openssl.address]: 'smime',
        [tls]: 'tls',
        [portal]: 'portal',
      });
      const copyTo = (sink: SmtpSink, address: string) =>
        sink.messages.find((m) => m.to.includes(address))?.raw ?? Buffer.alloc(0);
      const tlsCopy = copyTo(tlsSink, tls);
      const parsed = await simpleParser(tlsCopy);
      expect(parsed.subject).toBe('Lab results');
      expect(parsed.headers.get('x-sealpost-gateway')).toMatch(/^i=[0-9a-f]{24}; host=/);
      expect(parsed.headers.has('bcc')).toBe(false);
      expect(bodyOf(tlsCopy)).toEqual(bodyOf(original));
      expect((await gnupg.decrypt(copyTo(plainSink, gnupg.address))).toString()).toContain(marker);
      expect((await openssl.decrypt(copyTo(tlsSink, openssl.address))).toString()).toContain(
        'results.txt',
      );
      expect(copyTo(plainSink, portal).toString()).not.toContain(marker);
      expect(tlsCopy.toString()).not.toContain(portal);
    } finally {
      gnupg.dispose();
      openssl.dispose();
    }
  });

  it('answers 250 only when durable: killed before the reply, retried, arrives once', async () => {
    const to = `patient.${unique()}@enc.test`;
    const raw = await compose({
      from: 'ada@clinic.example',
      to,
      subject: 'Appointment for Jane Roe',
      text: marker,
      messageId: `<${unique()}@clinic.example>`,
    });
    const envelope = { from: 'ada@clinic.example', to: [to] };
    await gateways.stop();
    const holding = await gateways.start({ SEALPOST_GATEWAY_TEST_HOLD_REPLY: 'on' });

    const firstTry = client()
      .sendMail({ envelope, raw })
      .catch((error: Error) => error);
    await holding.waitForLog(/"msg":"gateway holding reply \(test hook\)"/);
    await holding.stop('SIGKILL');
    const failure = await firstTry;
    await gateways.start();
    const retry = await client().sendMail({ envelope, raw });

    expect(failure).toBeInstanceOf(Error);
    expect(retry.response).toMatch(/^250 /);
    await stack.waitForMessage(
      org.token,
      /accepted as (\S+)/.exec(retry.response ?? '')?.[1] ?? '',
    );
    const copies = tlsSink.messages.filter((m) => m.to.includes(to));
    expect(copies).toHaveLength(1);
    const [count] = await stack.sql<{ count: string }>(
      'SELECT count(*) FROM message_recipients WHERE address = $1',
      [to],
    );
    expect(count.count).toBe('1');
  });

  it('keeps PHI out of the gateway and worker logs', () => {
    const logs = gateways.logs() + stack.logs();

    expect(logs).toMatch(/"msg":"gateway message accepted"/);
    expect(logs).not.toContain(marker);
    expect(logs).not.toContain('Lab results');
    expect(logs).not.toContain('Jane Roe');
    expect(logs).not.toMatch(/[a-z]+\.[0-9a-f]{8}@(plain|enc)\.test/);
    expect(logs).not.toContain('ada@clinic.example');
  });
});
