import { type SmtpSink } from '@sealpost/test-peers';
import { createTransport } from 'nodemailer';
import { type BenchMail, FROM } from './bench-mail';
import { print, seconds } from './bench-report';
import { CpuMeter } from './cpu-meter';
import { arrivalOf, percentile, perSecond, runBounded } from './load';

export interface LoadShape {
  messages: number;
  /** Requests (or raw sends) in flight at once. */
  concurrency: number;
}

/** Names the sinks' certificates carry, so Sealpost verifies them for 127.0.0.1. */
export const LOOPBACK_NAMES = {
  commonName: 'localhost',
  dnsNames: ['localhost'],
  ipAddresses: ['127.0.0.1'],
};

// The default of SEALPOST_CONNECTIONS_PER_ROUTE, so the raw reference gets as many sessions.
export const SMTP_CONNECTIONS = 8;
// Generous: a healthy stack delivers thousands a minute; this only stops a stuck run.
const DELIVERY_TIMEOUT_BASE_MS = 60_000;
const DELIVERY_TIMEOUT_PER_MESSAGE_MS = 100;

/**
 * nodemailer's own pool straight to a sink over STARTTLS: the rate Sealpost's delivery is
 * held against. `warmup` messages go first through a pool of their own, untimed, so the
 * timed pool still pays for its connections but not for a cold JIT. Returns messages/s.
 */
export async function measureRawSmtp(
  sink: SmtpSink,
  caPem: string,
  load: LoadShape,
  mailFor: (index: number) => BenchMail,
  warmup = 0,
): Promise<number> {
  if (warmup > 0) {
    await sendRaw(sink, caPem, { messages: warmup, concurrency: load.concurrency }, mailFor);
  }
  const meter = CpuMeter.available() ? new CpuMeter([]) : undefined;
  const cpu = meter?.start();
  const started = performance.now();
  await sendRaw(sink, caPem, load, mailFor);
  const milliseconds = performance.now() - started;

  const rate = perSecond(load.messages, milliseconds);
  const benchCpu = cpu?.()[0]?.seconds;
  print(
    `raw nodemailer -> sink: ${load.messages} in ${seconds(milliseconds)}, ` +
      `${rate.toFixed(1)} msg/s` +
      (benchCpu === undefined
        ? ''
        : ` (client and sink in one process: ${benchCpu.toFixed(1)} s CPU)`),
  );
  return rate;
}

async function sendRaw(
  sink: SmtpSink,
  caPem: string,
  load: LoadShape,
  mailFor: (index: number) => BenchMail,
): Promise<void> {
  const transport = createTransport({
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    host: '127.0.0.1',
    port: sink.port,
    name: 'sealpost.test',
    requireTLS: true,
    tls: { ca: [caPem], minVersion: 'TLSv1.2' },
  });
  try {
    await runBounded(load.messages, load.concurrency, async (index) => {
      await transport.sendMail({ from: FROM, ...mailFor(index) });
    });
  } finally {
    transport.close();
  }
}

export interface EndToEnd {
  /** Messages per second from the first request to the last arrival; none if some are missing. */
  rate?: number;
  milliseconds: number;
}

/**
 * Sends `load.messages` requests through `send` and waits until the sink holds them all;
 * `label` prefixes the printed lines when one run measures several kinds of message.
 */
export async function measureEndToEnd(
  sink: SmtpSink,
  send: (index: number) => Promise<void>,
  load: LoadShape,
  label = '',
): Promise<EndToEnd> {
  const { messages, concurrency } = load;
  const prefix = label ? `${label} ` : '';
  const timeout = DELIVERY_TIMEOUT_BASE_MS + messages * DELIVERY_TIMEOUT_PER_MESSAGE_MS;
  // A sink may already hold earlier messages; only this phase's arrivals count.
  const already = sink.messages.length - sink.duplicates();
  const arrival = arrivalOf(sink, already + messages, timeout);
  const latencies: number[] = [];
  const started = performance.now();
  await runBounded(messages, concurrency, async (index) => {
    const sent = performance.now();
    await send(index);
    latencies.push(performance.now() - sent);
  });
  const accepted = performance.now() - started;
  print(
    `${prefix}api accept: ${messages} in ${seconds(accepted)}, ` +
      `${perSecond(messages, accepted).toFixed(1)} msg/s, ` +
      `latency p50 ${percentile(latencies, 0.5).toFixed(0)} ms, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(0)} ms`,
  );

  const arrivedAt = await arrival;
  if (arrivedAt === undefined) {
    return { milliseconds: performance.now() - started };
  }
  const delivered = arrivedAt - started;
  print(
    `${prefix}end-to-end delivered: ${messages} in ${seconds(delivered)}, ` +
      `${perSecond(messages, delivered).toFixed(1)} msg/s ` +
      `(last arrival ${seconds(delivered - accepted)} after the last accept), ` +
      `duplicates at the sink: ${sink.duplicates()}`,
  );
  return { rate: perSecond(messages, delivered), milliseconds: delivered };
}
