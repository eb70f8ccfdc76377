import { availableParallelism, loadavg } from 'node:os';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { createTransport } from 'nodemailer';
import { CpuMeter, pidsNamed } from './cpu-meter';
import { arrivalOf, percentile, perSecond, runBounded } from './load';
import { SealpostStack } from './sealpost-stack';

export interface DeliveryBenchOptions {
  messages: number;
  /** Requests (or raw sends) in flight at once. */
  concurrency: number;
  postgresUrl: string;
  redisUrl: string;
}

interface BenchMail {
  to: string;
  subject: string;
  text: string;
}

// The default of SEALPOST_CONNECTIONS_PER_ROUTE, so the raw reference gets as many sessions.
const SMTP_CONNECTIONS = 8;
const BODY_BYTES = 10 * 1024;
const FROM = 'Bench <bench@sealpost.test>';
const DOMAIN = 'bench.test';
const PROBE_DOMAIN = 'probe.test';
// Generous: a healthy stack delivers thousands a minute; this only stops a stuck run.
const DELIVERY_TIMEOUT_BASE_MS = 60_000;
const DELIVERY_TIMEOUT_PER_MESSAGE_MS = 100;
const PROBE_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Sends N messages of 10 KB through the API to a loopback STARTTLS sink and compares the
 * end-to-end rate with nodemailer sending the same messages straight to a sink, pooled, over
 * the same TLS, in the same run. Returns the exit code.
 */
export async function runDeliveryBench(options: DeliveryBenchOptions): Promise<number> {
  const { messages, concurrency } = options;
  warnIfBusy();
  const ca = createTestCa('Sealpost Bench CA');
  const tls = issueCertificate(ca, {
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const [sink, rawSink, probeSink] = await Promise.all([
    SmtpSink.start({ tls }),
    SmtpSink.start({ tls }),
    SmtpSink.start({ tls }),
  ]);
  let started: SealpostStack | undefined;
  try {
    progress('starting the Sealpost worker and api');
    const stack = await SealpostStack.start({
      postgresUrl: options.postgresUrl,
      redisUrl: options.redisUrl,
      caPem: ca.certPem,
      routes: { [DOMAIN]: sink.port, [PROBE_DOMAIN]: probeSink.port },
    });
    started = stack;
    const token = await stack.createApiKey();
    const post = (mail: BenchMail) => postMessage(stack.apiUrl, token, mail);

    // At log level warn the worker does not say it is ready; one delivery proves it is.
    await post(benchMail(0, PROBE_DOMAIN));
    if ((await arrivalOf(probeSink, 1, PROBE_TIMEOUT_MS)) === undefined) {
      throw new Error(`the probe message was not delivered:\n${stack.describeApps()}`);
    }

    print(
      `delivery benchmark: ${messages} messages of ${BODY_BYTES / 1024} KB, ` +
        `${concurrency} in flight, ${SMTP_CONNECTIONS} SMTP connections, STARTTLS to loopback`,
    );
    progress('raw nodemailer -> sink');
    const rawRate = await measureRaw(rawSink, ca.certPem, options);

    progress('end to end through the api');
    const cpu = stackMeter(stack)?.start();
    const endToEnd = await measureEndToEnd(sink, post, options);
    if (cpu) {
      printCpu(cpu(), endToEnd.milliseconds);
    }
    if (endToEnd.rate === undefined) {
      print(`end-to-end: only ${sink.messages.length} of ${messages} arrived in time`);
      process.stderr.write(stack.describeApps() + '\n');
      return 1;
    }
    print(
      `delivery: end-to-end ${endToEnd.rate.toFixed(1)} msg/s, ` +
        `raw nodemailer ${rawRate.toFixed(1)} msg/s, ratio ${(endToEnd.rate / rawRate).toFixed(2)}`,
    );
    return 0;
  } finally {
    await started?.stop();
    await Promise.all([sink.close(), rawSink.close(), probeSink.close()]);
  }
}

/** nodemailer's own pool straight to a sink: the rate Sealpost's delivery is held against. */
async function measureRaw(
  sink: SmtpSink,
  caPem: string,
  options: DeliveryBenchOptions,
): Promise<number> {
  const transport = createTransport({
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    host: '127.0.0.1',
    port: sink.port,
    name: 'sealpost.test',
    requireTLS: true,
    tls: { ca: [caPem], minVersion: 'TLSv1.2' },
  });
  const meter = CpuMeter.available() ? new CpuMeter([]) : undefined;
  const cpu = meter?.start();
  const started = performance.now();
  try {
    await runBounded(options.messages, options.concurrency, async (index) => {
      await transport.sendMail({ from: FROM, ...benchMail(index, DOMAIN) });
    });
  } finally {
    transport.close();
  }
  const milliseconds = performance.now() - started;

  const rate = perSecond(options.messages, milliseconds);
  const benchCpu = cpu?.()[0]?.seconds;
  print(
    `raw nodemailer -> sink: ${options.messages} in ${seconds(milliseconds)}, ` +
      `${rate.toFixed(1)} msg/s` +
      (benchCpu === undefined
        ? ''
        : ` (client and sink in one process: ${benchCpu.toFixed(1)} s CPU)`),
  );
  return rate;
}

async function measureEndToEnd(
  sink: SmtpSink,
  post: (mail: BenchMail) => Promise<void>,
  options: DeliveryBenchOptions,
): Promise<{ rate?: number; milliseconds: number }> {
  const { messages, concurrency } = options;
  const timeout = DELIVERY_TIMEOUT_BASE_MS + messages * DELIVERY_TIMEOUT_PER_MESSAGE_MS;
  const arrival = arrivalOf(sink, messages, timeout);
  const latencies: number[] = [];
  const started = performance.now();
  await runBounded(messages, concurrency, async (index) => {
    const sent = performance.now();
    await post(benchMail(index, DOMAIN));
    latencies.push(performance.now() - sent);
  });
  const accepted = performance.now() - started;
  print(
    `api accept: ${messages} in ${seconds(accepted)}, ` +
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
    `end-to-end delivered: ${messages} in ${seconds(delivered)}, ` +
      `${perSecond(messages, delivered).toFixed(1)} msg/s ` +
      `(last arrival ${seconds(delivered - accepted)} after the last accept), ` +
      `duplicates at the sink: ${sink.duplicates()}`,
  );
  return { rate: perSecond(messages, delivered), milliseconds: delivered };
}

async function postMessage(apiUrl: string, token: string, mail: BenchMail): Promise<void> {
  const response = await fetch(`${apiUrl}/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ from: FROM, to: [mail.to], subject: mail.subject, text: mail.text }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.text();
  if (response.status !== 202) {
    throw new Error(`POST /v1/messages answered ${response.status}: ${body.slice(0, 300)}`);
  }
}

const BODY_LINE = 'The quick brown fox jumps over the lazy dog; results are ready. 0123456789\n';
const BODY = BODY_LINE.repeat(Math.ceil(BODY_BYTES / BODY_LINE.length));

/** Message `index`: one recipient, a plain-text body of exactly BODY_BYTES. */
function benchMail(index: number, domain: string): BenchMail {
  const first = `Bench message ${index}\n`;
  return {
    to: `r${index}@${domain}`,
    subject: `Bench message ${index}`,
    text: first + BODY.slice(0, BODY_BYTES - first.length),
  };
}

function printCpu(used: { name: string; seconds: number }[], milliseconds: number): void {
  const parts = used.map(
    ({ name, seconds: cpu }) =>
      `${name} ${cpu.toFixed(1)} s (${((cpu * 100000) / milliseconds).toFixed(0)}%)`,
  );
  print(
    `cpu during end-to-end (${seconds(milliseconds)} wall; % of one core): ${parts.join(', ')}`,
  );
}

/** The figures share the machine's cores with everything else; say so when it is busy. */
function warnIfBusy(): void {
  const [load] = loadavg();
  if (load > availableParallelism() / 2) {
    progress(
      `warning: load average ${load.toFixed(1)} on ${availableParallelism()} cores; ` +
        'other work will skew the figures',
    );
  }
}

/** CPU of the processes that take part in an end-to-end delivery, where /proc exists. */
function stackMeter(stack: SealpostStack): CpuMeter | undefined {
  if (!CpuMeter.available()) {
    return undefined;
  }
  const pidOf = (pid: number | undefined) => (pid === undefined ? [] : [pid]);
  return new CpuMeter([
    { name: 'api', pids: () => pidOf(stack.api.pid) },
    { name: 'worker', pids: () => pidOf(stack.worker.pid) },
    { name: 'postgres', pids: () => pidsNamed('postgres') },
    { name: 'redis', pids: () => pidsNamed('redis-server') },
  ]);
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

function print(line: string): void {
  process.stdout.write(line + '\n');
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
