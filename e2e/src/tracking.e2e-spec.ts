import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const unique = () => randomBytes(5).toString('hex');
const PUBLIC_URL = 'https://mail.sealpost.test';
const TRACKED = /https:\/\/mail\.sealpost\.test(\/t\/([oc])\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

describe('open and click tracking through the running apps', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let org: { id: string; token: string };
  const phi: string[] = [];

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-tracking-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: `tracked.test=127.0.0.1:${sink.port}`,
        SEALPOST_PUBLIC_URL: PUBLIC_URL,
      },
    });
    org = await stack.organisation('messages:send,messages:read,settings:manage');
  });

  afterAll(async () => {
    await stack?.stop();
    await sink?.close();
  });

  /** Sends one HTML message and returns its id and the HTML the sink received. */
  async function sendHtml(html: string): Promise<{ id: string; received: string }> {
    const to = `patient.${unique()}@tracked.test`;
    const subject = `Results ${unique()}`;
    phi.push(to, subject);
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'clinic@sender.test', to: [to], subject, html },
    });
    expect(accepted.status).toBe(202);
    const settled = await stack.waitForMessage(org.token, accepted.body.id);
    expect(settled.recipients[0]).toMatchObject({ status: 'delivered', method: 'tls' });
    const copy = sink.messages.find((message) => message.to.includes(to));
    const received = copy ? (await simpleParser(copy.raw)).html : false;
    if (typeof received !== 'string') {
      throw new Error('no HTML copy arrived');
    }
    return { id: accepted.body.id, received };
  }

  it('records the pixel and a click from the received mail as events of the message', async () => {
    const destination = `https://portal.clinic.example/results/${unique()}?visit=${unique()}`;
    phi.push(destination);
    const { id, received } = await sendHtml(
      `<html><body><p>Your results are in.</p><a href="${destination}">View</a></body></html>`,
    );

    const tracked = [...received.matchAll(TRACKED)].map(([, path, kind]) => ({ path, kind }));
    expect(tracked.map((t) => t.kind)).toEqual(['c', 'o']);
    expect(received).not.toContain(destination);
    const [click, pixel] = tracked;

    const image = await fetch(stack.url(pixel.path));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/gif');
    expect(image.headers.get('cache-control')).toContain('no-store');
    const redirect = await fetch(stack.url(click.path), { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(destination);

    const message = await stack.request('GET', `/v1/messages/${id}`, { token: org.token });
    const recipientId = message.body.recipients[0].id;
    const engagement = message.body.events.filter((event: { type: string }) =>
      ['opened', 'clicked'].includes(event.type),
    );
    expect(engagement).toEqual([
      expect.objectContaining({ type: 'opened', recipientId }),
      expect.objectContaining({
        type: 'clicked',
        recipientId,
        data: expect.objectContaining({ link: 0 }),
      }),
    ]);
    expect(JSON.stringify(message.body.events)).not.toContain(destination);

    const tampered = click.path.slice(0, -3) + (click.path.endsWith('AAA') ? 'BBB' : 'AAA');
    const refused = await fetch(stack.url(tampered), { redirect: 'manual' });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('location')).toBeNull();
  });

  it('leaves the HTML as written once the organisation turns tracking off', async () => {
    const off = await stack.request('PUT', '/v1/organisation/settings', {
      token: org.token,
      body: { tracking: { enabled: false } },
    });
    expect(off.status).toBe(200);
    const html = '<p>Call us <a href="https://clinic.example/call">here</a>.</p>';

    const { received } = await sendHtml(html);

    // The MIME round trip may end the part with a line break; nothing else may change.
    expect(received.trimEnd()).toBe(html);
  });

  it('writes no address, subject, link or token to the logs', () => {
    const logs = stack.logs();

    expect(logs).toContain('engagement recorded');
    for (const value of phi) {
      expect(logs).not.toContain(value);
    }
    expect(logs).not.toMatch(/\/t\/[oc]\/[A-Za-z0-9_-]{20,}/);
  });
});
