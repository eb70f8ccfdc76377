import { parseArgs } from 'node:util';
import { runAuditBench } from './audit.bench';
import { runContactsImportBench } from './contacts-import.bench';
import { runDeliveryBench } from './delivery.bench';
import { runEncryptionBench } from './encryption.bench';
import { runFhirBench } from './fhir.bench';
import { runGatewayBench } from './gateway.bench';
import { runTemplatesTrackingBench } from './templates-tracking.bench';
import { runWorkflowBench } from './workflow.bench';

const USAGE = `usage: npm run bench -- <benchmark> [options]

benchmarks:
  delivery   messages through the api to a STARTTLS sink, against raw nodemailer
  encryption messages by PGP, S/MIME, TLS and portal through the api, each against the
             same operation alone (openpgp encrypt, encryptSmime, raw nodemailer)
  gateway    messages through the SMTP gateway (STARTTLS, AUTH) delivered over TLS, against
             nodemailer into a bare smtp-server
  contacts-import  contacts from a CSV file through the import service, against plain
             multi-row INSERTs of the same rows
  templates-tracking  decorating HTML copies for tracking against parse5 alone, and rendering
             templates against plain Handlebars (CPU only, no services)
  audit      records appended to a hash chain, verified and searched, against raw INSERTs
  workflow   contacts through a five-step journey (send, wait a day, branch on open, send,
             end) with the clock moved, against raw single-row PostgreSQL UPDATEs
  fhir       engagement events charted as FHIR Communications in a loopback FHIR server by
             the worker, against raw fhir-kit-client creates on the same server

options:
  --messages N        messages to send (delivery, gateway: default 2000; encryption: default 500
                      per method; contacts-import: CSV rows, default 100000;
                      templates-tracking: copies and renders, default 20000;
                      workflow: contacts, default 100000; audit: records, default
                      1000000; fhir: engagement events, default 10000)
  --concurrency N     requests in flight at once (default 32)
  --postgres-url URL  PostgreSQL server for a throw-away database
                      (default postgres://postgres@127.0.0.1:5432)
  --redis-url URL     Redis for a throw-away queue prefix (default redis://127.0.0.1:6379)
`;

const BENCHMARKS = {
  delivery: runDeliveryBench,
  encryption: runEncryptionBench,
  gateway: runGatewayBench,
  'contacts-import': (options: { messages: number; postgresUrl: string }) =>
    runContactsImportBench({ rows: options.messages, postgresUrl: options.postgresUrl }),
  'templates-tracking': (options: { messages: number }) => runTemplatesTrackingBench(options),
  audit: (options: { messages: number; postgresUrl: string }) =>
    runAuditBench({ records: options.messages, postgresUrl: options.postgresUrl }),
  workflow: (options: { messages: number; postgresUrl: string; redisUrl: string }) =>
    runWorkflowBench({
      contacts: options.messages,
      postgresUrl: options.postgresUrl,
      redisUrl: options.redisUrl,
    }),
  fhir: (options: { messages: number; postgresUrl: string; redisUrl: string }) =>
    runFhirBench({
      events: options.messages,
      postgresUrl: options.postgresUrl,
      redisUrl: options.redisUrl,
    }),
} as const;

// The encryption bench runs four methods, each slower than plain delivery.
const DEFAULT_MESSAGES: Record<keyof typeof BENCHMARKS, string> = {
  delivery: '2000',
  encryption: '500',
  gateway: '2000',
  'contacts-import': '100000',
  'templates-tracking': '20000',
  workflow: '100000',
  audit: '1000000',
  fhir: '10000',
};

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        messages: { type: 'string' },
        concurrency: { type: 'string', default: '32' },
        'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
        'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (!name || extra.length || !Object.hasOwn(BENCHMARKS, name)) {
    return usage(name ? `unknown benchmark "${[name, ...extra].join(' ')}"` : 'no benchmark');
  }

  try {
    const benchmark = name as keyof typeof BENCHMARKS;
    return await BENCHMARKS[benchmark]({
      messages: positiveInteger('--messages', values.messages ?? DEFAULT_MESSAGES[benchmark]),
      concurrency: positiveInteger('--concurrency', values.concurrency),
      postgresUrl: values['postgres-url'],
      redisUrl: values['redis-url'],
    });
  } catch (error) {
    if (error instanceof UsageError) {
      return usage(error.message);
    }
    throw error;
  }
}

function positiveInteger(option: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${option} must be a positive integer`);
  }
  return value;
}

function usage(problem: string): number {
  process.stderr.write(`bench: ${problem}\n\n${USAGE}`);
  return 2;
}

// Exits explicitly: a failed run may leave timers (sink waits, sockets) that would keep it up.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench: failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
