import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SmtpSink, issueCertificate } from '@sealpost/test-peers';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES, startTlsPeers, type TlsPeers, transportMap } from './support/tls-peers';

const unique = () => randomBytes(5).toString('hex');

describe('sending through the API to SMTP servers over verified TLS', () => {
  let peers: TlsPeers;
  let stack: Stack;
  let org: { id: string; token: string };
  let retrying: SmtpSink;
  let refusing: SmtpSink;
  let busy: SmtpSink;
  const phi: string[] = [];

  beforeAll(async () => {
    peers = await startTlsPeers();
    const tls = issueCertificate(peers.ca, LOOPBACK_NAMES);
    const attempts = new Map<string, number>();
    retrying = await SmtpSink.start({
      tls,
      rcptReply: (address) => {
        attempts.set(address, (attempts.get(address) ?? 0) + 1);
        return attempts.get(address) === 1 ? { code: 451, message: 'try again later' } : null;
      },
    });
    refusing = await SmtpSink.start({
      tls,
      rcptReply: (address) => ({ code: 550, message: `no mailbox ${address}` }),
    });
    busy = await SmtpSink.start({ tls, rcptReply: () => ({ code: 421, message: 'busy' }) });
    stack = await Stack.start({
      env: {
        // Quick retries, and giving up after 4 s, so the retry paths run within the test.
        SEALPOST_RETRY_BASE_SECONDS: '1',
        SEALPOST_BOUNCE_AFTER_SECONDS: '4',
        SEALPOST_TLS_CA_FILE: peers.caFile,
        SEALPOST_TRANSPORT_MAP: transportMap({
          'good.test': peers.good,
          'nostarttls.test': peers.noStartTls,
          'expired.test': peers.expired,
          'selfsigned.test': peers.selfSigned,
          'tls10.test': peers.tls10,
          'retry.test': retrying,
          'refuse.test': refusing,
          'busy.test': busy,
        }),
      },
    });
    org = await stack.organisation('messages:send,messages:read,policy:manage');
    // This suite is about verified TLS: without the portal (see portal.e2e-spec.ts), a server
    // TLS cannot reach gets nothing.
    const policy = await stack.request('GET', '/v1/policy', { token: org.token });
    const tlsOnly = await stack.request('PUT', '/v1/policy', {
      token: org.token,
      body: { ...policy.body, methodOrder: ['pgp', 'smime', 'tls'] },
    });
    expect(tlsOnly.status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([...(peers?.all ?? []), retrying, refusing, busy].map((s) => s?.close()));
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
      // Each copy's return path names it (VERP), in the bounce domain: the EHLO name here.
      expect(copy.from).toMatch(/^bounce\+[a-z2-7]{42}@sealpost\.test$/);
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
    ['expired.test', 'expired', /expired certificate/],
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

  async function sendOne(domain: string) {
    const to = `patient.${unique()}@${domain}`;
    const subject = `Appointment ${unique()}`;
    phi.push(to, subject);
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'clinic@sender.test', to: [to], subject, text: 'See you soon.' },
    });
    expect(accepted.status).toBe(202);
    return stack.waitForMessage(org.token, accepted.body.id, undefined, 30_000);
  }

  const typesOf = (settled: any): string[] => settled.events.map((e: { type: string }) => e.type);

  it('retries a temporary refusal with backoff and then delivers', async () => {
    const settled = await sendOne('retry.test');

    expect(settled.recipients[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(typesOf(settled)).toEqual(['accepted', 'queued', 'deferred', 'delivered']);
    const deferred = settled.events[2];
    expect(deferred.data).toMatchObject({ responseCode: 451, attempt: 1 });
    expect(Date.parse(deferred.data.retryAt)).toBeGreaterThan(Date.parse(deferred.at));
    expect(retrying.messages).toHaveLength(1);
  });

  it('bounces at once on a permanent refusal, keeping the server reply', async () => {
    const settled = await sendOne('refuse.test');

    expect(settled.recipients[0]).toMatchObject({ status: 'bounced', attempts: 1 });
    expect(settled.recipients[0].smtpResponse).toMatch(/^550/);
    expect(settled.recipients[0].lastError).not.toContain('@');
    expect(typesOf(settled)).toEqual(['accepted', 'queued', 'bounced']);
  });

  it('bounces after the configured time when the server keeps deferring', async () => {
    const settled = await sendOne('busy.test');

    const [recipient] = settled.recipients;
    expect(recipient.status).toBe('bounced');
    expect(recipient.attempts).toBeGreaterThan(1);
    expect(recipient.lastError).toMatch(/^gave up after \d+ attempts/);
    expect(typesOf(settled).filter((type) => type === 'deferred').length).toBe(
      recipient.attempts - 1,
    );
  });

  it('answers bad requests with stable codes and keeps values out of the error text', async () => {
    const malformed = await stack.request('POST', '/v1/messages', {
      token: org.token,
      rawBody: '{"from": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_json', errorId: expect.any(String) });

    const badAddress = `not-an-address-${unique()}`;
    const invalid = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'clinic@sender.test', to: [badAddress], subject: 's', text: 't' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('validation_failed');
    expect(invalid.body.details).toEqual([{ path: 'to[0]', message: expect.any(String) }]);
    expect(invalid.text).not.toContain(badAddress);

    const oversize = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: {
        from: 'clinic@sender.test',
        to: ['a@good.test'],
        subject: 's',
        text: 'x'.repeat(30 * 1024 * 1024),
      },
    });
    expect(oversize.status).toBe(413);
    expect(oversize.body.code).toBe('payload_too_large');
  });

  it("answers 404 for another organisation's message", async () => {
    const other = await stack.organisation();
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: {
        from: 'clinic@sender.test',
        to: [`p.${unique()}@good.test`],
        subject: 's',
        text: 't',
      },
    });

    const read = await stack.request('GET', `/v1/messages/${accepted.body.id}`, {
      token: other.token,
    });
    const list = await stack.request('GET', '/v1/messages', { token: other.token });

    expect(read.status).toBe(404);
    expect(read.body.code).toBe('not_found');
    expect(list.body.data).toEqual([]);
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
