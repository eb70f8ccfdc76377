import { SmtpSink, createTestCa, issueCertificate } from '@sealpost/test-peers';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, report, sendMany } from './support/load';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const MESSAGES = 400;

describe('two api and two worker processes on one PostgreSQL and Redis', () => {
  let sink: SmtpSink;
  let stack: Stack;

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-scale-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    stack = await Stack.start({
      apis: 2,
      workers: 2,
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: `scale.test=127.0.0.1:${sink.port}`,
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await sink?.close();
  });

  it('share the load and deliver each message exactly once', async () => {
    const org = await stack.organisation();
    const ids = await sendMany(stack, org.token, MESSAGES, (i) => `scale.${i}@scale.test`);
    await sink.waitFor(MESSAGES, 120_000);
    await eventually(
      async () => {
        const [row] = await stack.sql<{ n: string }>(
          `SELECT count(*) AS n FROM message_recipients WHERE status = 'delivered'`,
        );
        return Number(row.n) === MESSAGES;
      },
      30_000,
      'every recipient recorded as delivered',
    );
    // Late duplicates would arrive after the last expected copy; give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const perWorker = stack.workers.map(
      (w) => (w.logs.match(/"msg":"delivery attempt"/g) ?? []).length,
    );
    report(
      `scale-out: ${MESSAGES} messages over 2 apis, ` +
        `deliveries per worker ${perWorker.join(' / ')}, ` +
        `duplicates at sink: ${sink.duplicates()}`,
    );
    expect(new Set(ids).size).toBe(MESSAGES);
    expect(sink.messages).toHaveLength(MESSAGES);
    expect(sink.duplicates()).toBe(0);
    expect(new Set(sink.messages.map((m) => m.to[0])).size).toBe(MESSAGES);
    for (const count of perWorker) {
      expect(count).toBeGreaterThan(0);
    }
  });
});
