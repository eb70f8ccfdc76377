import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { createTransport, type Transporter } from 'nodemailer';
import { benchMail, BODY_BYTES, FROM } from './bench-mail';
import { print, printCpu, progress, seconds, warnIfBusy } from './bench-report';
import { CpuMeter, pidsNamed } from './cpu-meter';
import { LOOPBACK_NAMES, measureRawSmtp, SMTP_CONNECTIONS } from './delivery-measures';
import { GatewayProcess } from './gateway-stack';
import { arrivalOf, percentile, perSecond, runBounded } from './load';
import { freePort, SealpostStack } from './sealpost-stack';

export interface GatewayBenchOptions {
  messages: number;
  /** Messages in flight at once over the client's pooled connections. */
  concurrency: number;
  postgresUrl: string;
  redisUrl: string;
}

const DOMAIN = 'bench.test';
const PROBE_DOMAIN = 'probe.test';
const PROBE_TIMEOUT_MS = 60_000;
// Generous: a healthy stack delivers thousands a minute; this only stops a stuck run.
const DELIVERY_TIMEOUT_BASE_MS = 60_000;
const DELIVERY_TIMEOUT_PER_MESSAGE_MS = 100;

const mailTo = (domain: string) => (index: number) => benchMail(index, `r${index}@${domain}`);

/**
 * N messages of 10 KB submitted to the SMTP gateway by nodemailer (pooled, STARTTLS, AUTH),
 * stored, then delivered by the worker over verified TLS to a loopback sink. Against, in the
 * same run: nodemailer with the same pool and TLS into a bare smtp-server (the accept rate a
 * gateway could reach if it did nothing). The last line is delivered/s over raw accept/s.
 */
export async function runGatewayBench(options: GatewayBenchOptions): Promise<number> {
  const { messages, concurrency } = options;
  warnIfBusy();
  const ca = createTestCa('Sealpost Bench CA');
  const tls = issueCertificate(ca, LOOPBACK_NAMES);
  const [sink, bare, probeSink] = await Promise.all([
    SmtpSink.start({ tls }),
    SmtpSink.start({ tls }),
    SmtpSink.start({ tls }),
  ]);
  let stack: SealpostStack | undefined;
  let gateway: GatewayProcess | undefined;
  try {
    progress('starting the Sealpost worker, api and smtp-gateway');
    stack = await SealpostStack.start({
      postgresUrl: options.postgresUrl,
      redisUrl: options.redisUrl,
      caPem: ca.certPem,
      routes: { [DOMAIN]: sink.port, [PROBE_DOMAIN]: probeSink.port },
    });
    gateway = await GatewayProcess.start(stack, tls, await freePort());
    const auth = await GatewayProcess.credential(stack);
    const client = pooledClient(gateway.port, ca.certPem, auth);

    // One message end to end proves the gateway and the worker are ready.
    await client.sendMail({ from: FROM, ...mailTo(PROBE_DOMAIN)(0) });
    if ((await arrivalOf(probeSink, 1, PROBE_TIMEOUT_MS)) === undefined) {
      throw new Error(`the probe message was not delivered:\n${stack.describeApps()}`);
    }

    print(
      `gateway benchmark: ${messages} messages of ${BODY_BYTES / 1024} KB, ${concurrency} in ` +
        `flight over ${SMTP_CONNECTIONS} pooled STARTTLS connections, delivered over TLS`,
    );
    progress('raw: nodemailer -> bare smtp-server');
    const rawRate = await measureRawSmtp(bare, ca.certPem, options, mailTo(DOMAIN));

    progress('through the gateway');
    const meter = new CpuMeter([
      { name: 'gateway', pids: () => pidOf(gateway?.app.pid) },
      { name: 'worker', pids: () => pidOf(stack?.worker.pid) },
      { name: 'postgres', pids: () => pidsNamed('postgres') },
    ]);
    const cpu = CpuMeter.available() ? meter.start() : undefined;
    const timeout = DELIVERY_TIMEOUT_BASE_MS + messages * DELIVERY_TIMEOUT_PER_MESSAGE_MS;
    const arrival = arrivalOf(sink, messages, timeout);
    const latencies: number[] = [];
    const started = performance.now();
    await runBounded(messages, concurrency, async (index) => {
      const sent = performance.now();
      await client.sendMail({ from: FROM, ...mailTo(DOMAIN)(index) });
      latencies.push(performance.now() - sent);
    });
    const accepted = performance.now() - started;
    client.close();
    print(
      `gateway accept: ${messages} in ${seconds(accepted)}, ` +
        `${perSecond(messages, accepted).toFixed(1)} msg/s (250 after commit), ` +
        `latency p50 ${percentile(latencies, 0.5).toFixed(0)} ms, ` +
        `p99 ${percentile(latencies, 0.99).toFixed(0)} ms`,
    );
    const arrivedAt = await arrival;
    if (arrivedAt === undefined) {
      print(`delivered: only ${sink.messages.length} of ${messages} arrived in time`);
      process.stderr.write(stack.describeApps() + '\n' + gateway.app.tail() + '\n');
      return 1;
    }
    const delivered = arrivedAt - started;
    if (cpu) {
      printCpu(cpu(), delivered);
    }
    const deliveredRate = perSecond(messages, delivered);
    print(
      `delivered: ${messages} in ${seconds(delivered)}, ${deliveredRate.toFixed(1)} msg/s, ` +
        `duplicates at the sink: ${sink.duplicates()}`,
    );
    print(
      `gateway: delivered ${deliveredRate.toFixed(1)} msg/s, ` +
        `raw smtp-server accept ${rawRate.toFixed(1)} msg/s, ` +
        `ratio ${(deliveredRate / rawRate).toFixed(2)}`,
    );
    return 0;
  } finally {
    await gateway?.stop();
    await stack?.stop();
    await Promise.all([sink.close(), bare.close(), probeSink.close()]);
  }
}

function pooledClient(
  port: number,
  caPem: string,
  auth: { user: string; pass: string },
): Transporter {
  return createTransport({
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    host: '127.0.0.1',
    port,
    name: 'suite.bench.test',
    requireTLS: true,
    tls: { ca: [caPem], minVersion: 'TLSv1.2', servername: 'localhost' },
    auth,
  });
}

function pidOf(pid: number | undefined): number[] {
  return pid === undefined ? [] : [pid];
}
