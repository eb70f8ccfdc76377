import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { benchMail, BODY_BYTES, postMessage } from './bench-mail';
import { print, printCpu, progress, stackMeter, warnIfBusy } from './bench-report';
import {
  LOOPBACK_NAMES,
  measureEndToEnd,
  measureRawSmtp,
  SMTP_CONNECTIONS,
} from './delivery-measures';
import { arrivalOf } from './load';
import { SealpostStack } from './sealpost-stack';

export interface DeliveryBenchOptions {
  messages: number;
  /** Requests (or raw sends) in flight at once. */
  concurrency: number;
  postgresUrl: string;
  redisUrl: string;
}

const DOMAIN = 'bench.test';
const PROBE_DOMAIN = 'probe.test';
const PROBE_TIMEOUT_MS = 60_000;

/** Message `index` of the run, each to its own address at `domain`. */
const mailTo = (domain: string) => (index: number) => benchMail(index, `r${index}@${domain}`);

/**
 * Sends N messages of 10 KB through the API to a loopback STARTTLS sink and compares the
 * end-to-end rate with nodemailer sending the same messages straight to a sink, pooled, over
 * the same TLS, in the same run. Returns the exit code.
 */
export async function runDeliveryBench(options: DeliveryBenchOptions): Promise<number> {
  const { messages, concurrency } = options;
  warnIfBusy();
  const ca = createTestCa('Sealpost Bench CA');
  const tls = issueCertificate(ca, LOOPBACK_NAMES);
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
    const send = (index: number) => postMessage(stack.apiUrl, token, mailTo(DOMAIN)(index));

    // At log level warn the worker does not say it is ready; one delivery proves it is.
    await postMessage(stack.apiUrl, token, mailTo(PROBE_DOMAIN)(0));
    if ((await arrivalOf(probeSink, 1, PROBE_TIMEOUT_MS)) === undefined) {
      throw new Error(`the probe message was not delivered:\n${stack.describeApps()}`);
    }

    print(
      `delivery benchmark: ${messages} messages of ${BODY_BYTES / 1024} KB, ` +
        `${concurrency} in flight, ${SMTP_CONNECTIONS} SMTP connections, STARTTLS to loopback`,
    );
    progress('raw nodemailer -> sink');
    const rawRate = await measureRawSmtp(rawSink, ca.certPem, options, mailTo(DOMAIN));

    progress('end to end through the api');
    const cpu = stackMeter(stack)?.start();
    const endToEnd = await measureEndToEnd(sink, send, options);
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
