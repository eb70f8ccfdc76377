import { SmtpSink, createTestCa, issueCertificate } from '@sealpost/test-peers';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, report, sendMany } from './support/load';
import { PrivateRedis } from './support/redis-server';
import { Stack } from './support/stack';
import { LOOPBACK_NAMES } from './support/tls-peers';

const MESSAGES = 500;

describe('delivery when a worker crashes or Redis restarts under load', () => {
  let sink: SmtpSink;
  let redis: PrivateRedis;
  let stack: Stack;
  let org: { id: string; token: string };

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-fault-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({ tls: issueCertificate(ca, LOOPBACK_NAMES) });
    redis = await PrivateRedis.start();
    stack = await Stack.start({
      redisUrl: redis.url,
      env: {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: `fault.test=127.0.0.1:${sink.port}`,
        // Short leases so a killed worker's copies are retried within the test's time.
        SEALPOST_DELIVERY_LEASE_SECONDS: '5',
      },
    });
    org = await stack.organisation();
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
    await sink?.close();
  });

  async function deliveredCount(): Promise<number> {
    const [row] = await stack.sql<{ n: string }>(
      `SELECT count(*) AS n FROM message_recipients WHERE status = 'delivered'`,
    );
    return Number(row.n);
  }

  function uniqueAtSink(): number {
    return sink.messages.length - sink.duplicates();
  }

  it('delivers every message after the worker is SIGKILLed mid-flight', async () => {
    const start = sink.messages.length;
    const sending = sendMany(stack, org.token, MESSAGES, (i) => `kill.${i}@fault.test`);
    await eventually(() => sink.messages.length - start >= 50, 60_000, 'first deliveries');

    await stack.crashAndRestart(stack.workers[0]);
    await sending;
    await eventually(async () => (await deliveredCount()) >= MESSAGES, 150_000, 'all delivered');

    const received = sink.messages.slice(start);
    const unique = new Set(received.map((m) => m.to[0]));
    report(
      `fault (worker SIGKILL, ${MESSAGES} in flight): ${unique.size}/${MESSAGES} delivered, ` +
        `duplicates at sink: ${received.length - unique.size}`,
    );
    expect(unique.size).toBe(MESSAGES);
  });

  it('delivers every message after Redis restarts under load, losing its queue', async () => {
    const start = sink.messages.length;
    const before = await deliveredCount();
    const sending = sendMany(stack, org.token, MESSAGES, (i) => `redis.${i}@fault.test`);
    await eventually(() => sink.messages.length - start >= 50, 60_000, 'first deliveries');

    await redis.restart();
    await sending;
    await eventually(
      async () => (await deliveredCount()) - before >= MESSAGES,
      150_000,
      'all delivered after the Redis restart',
    );

    const received = sink.messages.slice(start);
    const unique = new Set(received.map((m) => m.to[0]));
    report(
      `fault (Redis restart, ${MESSAGES} in flight): ${unique.size}/${MESSAGES} delivered, ` +
        `duplicates at sink: ${received.length - unique.size} (total so far ${sink.duplicates()})`,
    );
    expect(unique.size).toBe(MESSAGES);
    expect(uniqueAtSink()).toBe(2 * MESSAGES);
  });
});
