import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { Stack } from './support/stack';
import { startTlsPeers, type TlsPeers, transportMap } from './support/tls-peers';

const unique = () => randomBytes(5).toString('hex');

describe('sending through the API to SMTP servers over verified TLS', () => {
  let peers: TlsPeers;
  let stack: Stack;
  let org: { id: string; token: string };
  const phi: string[] = [];

  beforeAll(async () => {
    peers = await startTlsPeers();
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: peers.caFile,
        SEALPOST_TRANSPORT_MAP: transportMap({
          'good.test': peers.good,
          'nostarttls.test': peers.noStartTls,
          'expired.test': peers.expired,
          'selfsigned.test': peers.selfSigned,
          'tls10.test': peers.tls10,
        }),
      },
    });
    org = await stack.organisation();
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(peers?.all.map((sink) => sink.close()) ?? []);
  });

  it('delivers headers, both bodies and attachment bytes to every recipient', async () => {
    const attachment = randomBytes(3000);
    const to = `patient.${unique()}@good.test`;
    const cc = `nurse.${unique()}@good.test`;
    const bcc = `archive.${unique()}@good.test`;
    const subject = `Lab results ${unique()}`;
    const text = `Your potassium is ${unique()}.`;
    const html = `<p>Your potassium is <b>${unique()}</b>.</p>`;
    phi.push(to, cc, bcc, subject, text, html);

    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: {
        from: 'Clinic <clinic@sender.test>',
        to: [to],
        cc: [cc],
        bcc: [bcc],
        subject,
        text,
        html,
        headers: { 'X-Clinic-Ref': 'ref-1' },
        attachments: [
          {
            filename: 'results.bin',
            contentType: 'application/octet-stream',
            content: attachment.toString('base64'),
          },
        ],
        tags: ['results'],
        metadata: { chart: 'c-1' },
      },
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body.recipients).toHaveLength(3);

    const before = peers.good.messages.length;
    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    await peers.good.waitFor(before + 3);

    const copies = peers.good.messages.slice(before);
    expect(copies.map((copy) => copy.to[0]).sort()).toEqual([to, cc, bcc].sort());
    for (const copy of copies) {
      expect(copy.secure).toBe(true);
      expect(copy.from).toBe('clinic@sender.test');
      expect(copy.raw.toString('latin1')).not.toContain(bcc.split('@')[0]);
      const mail = await simpleParser(copy.raw);
      expect(mail.subject).toBe(subject);
      expect(mail.text?.trim()).toBe(text);
      expect(mail.html).toContain(html);
      expect(mail.headers.get('x-clinic-ref')).toBe('ref-1');
      expect(mail.messageId).toBe(`<${accepted.body.id}@sealpost.test>`);
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0].filename).toBe('results.bin');
      expect(Buffer.compare(mail.attachments[0].content, attachment)).toBe(0);
    }

    for (const recipient of settled.recipients) {
      expect(recipient.status).toBe('delivered');
      expect(recipient.method).toBe('tls');
      expect(recipient.tls.version).toMatch(/^TLSv1\.[23]$/);
      expect(recipient.tls.cipher).toEqual(expect.any(String));
      expect(recipient.smtpResponse).toMatch(/^250/);
    }
    const types = settled.events.map((event: { type: string }) => event.type);
    expect(types[0]).toBe('accepted');
    expect(types.filter((type: string) => type === 'queued')).toHaveLength(3);
    expect(types.filter((type: string) => type === 'delivered')).toHaveLength(3);
  });

  it.each([
    ['nostarttls.test', 'noStartTls', /offered no STARTTLS/],
    ['expired.test', 'expired', /certificate has expired/],
    ['selfsigned.test', 'selfSigned', /self-signed/],
    ['tls10.test', 'tls10', /TLS version of 1\.2 or later|protocol/i],
  ] as const)('never sends in clear to %s and records why', async (domain, sinkName, reason) => {
    const to = `patient.${unique()}@${domain}`;
    const subject = `Diagnosis ${unique()}`;
    phi.push(to, subject);
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'clinic@sender.test', to: [to], subject, text: 'Sensitive.' },
    });
    expect(accepted.status).toBe(202);

    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    const [recipient] = settled.recipients;
    expect(recipient.status).toBe('failed');
    expect(recipient.lastError).toMatch(reason);
    expect(settled.events.at(-1)).toMatchObject({
      type: 'failed',
      data: { reason: recipient.lastError },
    });
    expect(peers[sinkName].messages).toHaveLength(0);
  });

  it('keeps recipients, subjects and bodies out of the logs', () => {
    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('delivery attempt');
    for (const value of phi) {
      expect(logs).not.toContain(value);
    }
  });
});
