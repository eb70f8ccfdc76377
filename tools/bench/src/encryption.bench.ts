import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { benchMail, BODY_BYTES, postMessage } from './bench-mail';
import { print, printCpu, progress, stackMeter, warnIfBusy } from './bench-report';
import { composeLikeSealpost, measureRawOpenpgp, measureRawSmime } from './crypto-measures';
import {
  LOOPBACK_NAMES,
  type LoadShape,
  measureEndToEnd,
  measureRawSmtp,
} from './delivery-measures';
import {
  type BenchMethod,
  METHOD_DOMAINS,
  PGP_ADDRESS,
  prepareRecipients,
  previewMethods,
  SMIME_ADDRESS,
} from './encryption-recipients';
import { arrivalOf, runBounded } from './load';
import { SealpostStack } from './sealpost-stack';

export interface EncryptionBenchOptions extends LoadShape {
  postgresUrl: string;
  redisUrl: string;
}

interface MethodRow {
  method: BenchMethod;
  /** Undefined when the method cannot be measured in this build (the portal, for now). */
  ratio?: number;
}

const PROBE_DOMAIN = 'probe.test';
const PROBE_TIMEOUT_MS = 60_000;
// Each side runs this many of its operation untimed first, so neither figure includes the
// JIT compiling openpgp, forge or nodemailer; small against the default 500.
const WARMUP_MESSAGES = 50;
// The issue's target: encrypting for the recipient is most of the work, so the rest of the
// path (accept, store, queue, plan, SMTP) may cost at most about twice the encryption itself.
const PGP_TARGET_RATIO = 0.3;

/** Who receives message `index` by `method`: keys and certificates belong to one address. */
function addressFor(method: BenchMethod, index: number): string {
  switch (method) {
    case 'pgp':
      return PGP_ADDRESS;
    case 'smime':
      return SMIME_ADDRESS;
    case 'tls':
    case 'portal':
      return `r${index}@${METHOD_DOMAINS[method]}`;
  }
}

const mailFor = (method: BenchMethod) => (index: number) =>
  benchMail(index, addressFor(method, index));

/**
 * Sends N messages of 10 KB through the API by each method (PGP, S/MIME, verified TLS,
 * portal) to loopback STARTTLS sinks, and sets each end-to-end rate beside the rate of the
 * same operation alone in the same run: openpgp.encrypt, encryptSmime, raw pooled SMTP.
 * The last line is the worst ratio. Returns the exit code.
 */
export async function runEncryptionBench(options: EncryptionBenchOptions): Promise<number> {
  warnIfBusy();
  const ca = createTestCa('Sealpost Bench CA');
  const tls = issueCertificate(ca, LOOPBACK_NAMES);
  const methods: BenchMethod[] = ['pgp', 'smime', 'tls', 'portal'];
  const sinks = Object.fromEntries(
    await Promise.all(methods.map(async (m) => [m, await SmtpSink.start({ tls })] as const)),
  ) as Record<BenchMethod, SmtpSink>;
  const [rawSink, probeSink] = await Promise.all([
    SmtpSink.start({ tls }),
    SmtpSink.start({ tls }),
  ]);
  const allSinks = [...Object.values(sinks), rawSink, probeSink];
  let started: SealpostStack | undefined;
  try {
    progress('starting the Sealpost worker and api');
    const routes = Object.fromEntries(methods.map((m) => [METHOD_DOMAINS[m], sinks[m].port]));
    const stack = await SealpostStack.start({
      postgresUrl: options.postgresUrl,
      redisUrl: options.redisUrl,
      caPem: ca.certPem,
      routes: { ...routes, [PROBE_DOMAIN]: probeSink.port },
    });
    started = stack;
    const token = await stack.createApiKey(['messages:send', 'keys:manage', 'policy:manage']);
    const recipients = await prepareRecipients(stack.apiUrl, token, ca);

    // At log level warn the worker does not say it is ready; one delivery proves it is.
    await postMessage(stack.apiUrl, token, benchMail(0, `probe@${PROBE_DOMAIN}`));
    if ((await arrivalOf(probeSink, 1, PROBE_TIMEOUT_MS)) === undefined) {
      throw new Error(`the probe message was not delivered:\n${stack.describeApps()}`);
    }
    const planned = await previewMethods(
      stack.apiUrl,
      token,
      Object.fromEntries(methods.map((m) => [m, addressFor(m, 0)])) as Record<BenchMethod, string>,
    );

    print(
      `encryption benchmark: ${options.messages} messages of ${BODY_BYTES / 1024} KB per method, ` +
        `${options.concurrency} in flight, STARTTLS to loopback`,
    );
    const rows: MethodRow[] = [];
    for (const method of methods) {
      // A method the api does not plan (the portal while PORTAL_AVAILABLE in
      // protection-planner.ts is false) is reported, not measured, and left out of the worst.
      if (planned[method] !== method) {
        print(`${method}: not available (the api plans "${planned[method]}")`);
        rows.push({ method });
        continue;
      }

      progress(`${method}: the operation alone`);
      const raw = await measureRaw(method, options, {
        rawSink,
        caPem: ca.certPem,
        ...recipients,
      });

      progress(`${method}: end to end through the api`);
      const send = (index: number) => postMessage(stack.apiUrl, token, mailFor(method)(index));
      await warmUp(sinks[method], send, options.concurrency);
      const cpu = stackMeter(stack)?.start();
      const endToEnd = await measureEndToEnd(sinks[method], send, options, method);
      if (cpu) {
        printCpu(cpu(), endToEnd.milliseconds);
      }
      if (endToEnd.rate === undefined) {
        print(`${method}: not all ${options.messages} messages arrived in time`);
        process.stderr.write(stack.describeApps() + '\n');
        return 1;
      }
      const ratio = endToEnd.rate / raw.rate;
      const target = method === 'pgp' ? ` (target >= ${PGP_TARGET_RATIO})` : '';
      print(
        `${method}: end-to-end ${endToEnd.rate.toFixed(1)} msg/s, ${raw.name} ` +
          `${raw.rate.toFixed(1)} msg/s, ratio ${ratio.toFixed(2)}${target}`,
      );
      rows.push({ method, ratio });
    }
    return printWorst(rows);
  } finally {
    await started?.stop();
    await Promise.all(allSinks.map((sink) => sink.close()));
  }
}

interface RawInputs {
  rawSink: SmtpSink;
  caPem: string;
  pgpPublicKey: string;
  smimeCertificate: string;
}

/** The reference for one method: what its own cryptography or SMTP costs alone. */
async function measureRaw(
  method: BenchMethod,
  load: LoadShape,
  inputs: RawInputs,
): Promise<{ name: string; rate: number }> {
  switch (method) {
    case 'pgp': {
      const mime = await composeLikeSealpost(mailFor(method)(0));
      const rate = await measureRawOpenpgp(mime, inputs.pgpPublicKey, load, WARMUP_MESSAGES);
      return { name: 'raw openpgp encrypt', rate };
    }
    case 'smime': {
      const mime = await composeLikeSealpost(mailFor(method)(0));
      // The bench certificate announces no S/MIME capabilities, so Sealpost uses CBC for it.
      const certificate = inputs.smimeCertificate;
      const rate = await measureRawSmime(mime, certificate, 'enveloped-cbc', load, WARMUP_MESSAGES);
      return { name: 'raw encryptSmime', rate };
    }
    case 'tls':
    case 'portal':
      return {
        name: 'raw nodemailer',
        rate: await measureRawSmtp(
          inputs.rawSink,
          inputs.caPem,
          load,
          mailFor(method),
          WARMUP_MESSAGES,
        ),
      };
  }
}

/** WARMUP_MESSAGES through the api by one method, untimed, waited for at the sink. */
async function warmUp(
  sink: SmtpSink,
  send: (index: number) => Promise<void>,
  concurrency: number,
): Promise<void> {
  const target = sink.messages.length - sink.duplicates() + WARMUP_MESSAGES;
  await runBounded(WARMUP_MESSAGES, concurrency, send);
  if ((await arrivalOf(sink, target, PROBE_TIMEOUT_MS)) === undefined) {
    throw new Error(`the ${WARMUP_MESSAGES} warm-up messages were not delivered`);
  }
}

function printWorst(rows: MethodRow[]): number {
  const measured = rows.filter((row): row is Required<MethodRow> => row.ratio !== undefined);
  if (measured.length === 0) {
    print('worst ratio: none measured');
    return 1;
  }
  const worst = measured.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  print(`worst ratio: ${worst.ratio.toFixed(2)} (${worst.method})`);
  return 0;
}
