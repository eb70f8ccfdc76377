import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { createTestCa, issueCertificate, postfixDsn, SmtpSink } from '@sealpost/test-peers';
import { freePort } from './support/free-port';
import { GatewayProcesses } from './support/gateway-process';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const unique = () => randomBytes(4).toString('hex');

describe('bounces end to end: a Postfix DSN through the gateway, suppression, release', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let gateways: GatewayProcesses;
  let org: { id: string; token: string };
  const address = `jane.${unique()}@patients.example`;

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-bounce-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    stack = await Stack.start({
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: `patients.example=127.0.0.1:${sink.port}`,
        SEALPOST_BOUNCE_DOMAIN: 'bounces.sealpost.test',
      },
    });
    gateways = GatewayProcesses.create(stack, await freePort());
    await gateways.start();
    org = await stack.organisation('messages:send,messages:read,settings:manage');
  });

  afterAll(async () => {
    await gateways?.stop();
    await stack?.stop();
    await sink?.close();
  });

  /** Sends one message to `address` through the API and waits until its copy settles. */
  async function send(): Promise<{ id: string; recipients: Record<string, unknown>[] }> {
    const accepted = await stack.request('POST', '/v1/messages', {
      token: org.token,
      body: { from: 'clinic@north.example', to: [address], subject: 'Results', text: 'Ready.' },
    });
    expect(accepted.status).toBe(202);
    return stack.waitForMessage(org.token, accepted.body.id);
  }

  /** What a reporting MTA does: connects without credentials and sends with a null sender. */
  function notify(returnPath: string, raw: Buffer) {
    return createTransport({
      host: '127.0.0.1',
      port: gateways.port,
      tls: { ca: [gateways.ca.certPem], servername: 'localhost' },
    }).sendMail({ envelope: { from: '', to: [returnPath] }, raw });
  }

  it('records a Postfix DSN sent to the return path, then suppresses and releases', async () => {
    const first = await send();
    const returnPath = sink.messages.find((copy) => copy.to.includes(address))?.from ?? '';

    const answer = await notify(returnPath, postfixDsn({ returnPath, recipient: address }));
    const bounced = await stack.waitForMessage(org.token, first.id, (s) => s === 'bounced');
    const listed = await stack.request('GET', '/v1/suppressions', { token: org.token });
    const received = sink.messages.length;
    const blocked = await send();
    const released = await stack.request(
      'DELETE',
      `/v1/suppressions/${encodeURIComponent(address)}`,
      { token: org.token },
    );
    const again = await send();

    expect(returnPath).toMatch(/^bounce\+[a-z2-7]{42}@bounces\.sealpost\.test$/);
    expect(answer.response).toMatch(/^250 /);
    expect(bounced.events).toContainEqual(
      expect.objectContaining({
        type: 'bounced',
        data: expect.objectContaining({ source: 'dsn', status: '5.1.1', class: 'hard' }),
      }),
    );
    expect(listed.body.data).toEqual([
      expect.objectContaining({ address, reason: 'hard_bounce', statusCode: '5.1.1' }),
    ]);
    expect(blocked.recipients[0]).toMatchObject({ status: 'failed', lastError: /suppressed/ });
    expect(released.status).toBe(204);
    expect(again.recipients[0]).toMatchObject({ status: 'delivered' });
    expect(sink.messages.length).toBe(received + 1);
  });

  it('refuses a forged return path at RCPT TO', async () => {
    const forged = `bounce+${'a'.repeat(42)}@bounces.sealpost.test`;

    const refused = await notify(forged, postfixDsn({ returnPath: forged, recipient: address }))
      .then(() => null)
      .catch((error: { responseCode?: number }) => error);

    expect(refused?.responseCode).toBeGreaterThanOrEqual(500);
  });

  it('keeps the address and the diagnostic out of every log', () => {
    const logs = gateways.logs() + stack.logs();

    expect(logs).toMatch(/"msg":"bounce recorded"/);
    expect(logs).toContain('/v1/suppressions/[address]');
    expect(logs).not.toContain(address.split('@')[0]);
    expect(logs).not.toContain('User unknown');
  });
});
