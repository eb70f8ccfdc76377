import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { standaloneAuditLog } from '@sealpost/audit';
import {
  CORE_ENTITIES,
  createDataSource,
  dropDatabase,
  EnvelopeCipher,
  loadConfig,
  migrateDatabase,
  OrganisationsService,
  SystemClock,
} from '@sealpost/core';
import {
  FhirClientFactory,
  FhirConnectionsService,
  FhirSigningKeysService,
  SmartTokenProvider,
  TestFhirConnectionUseCase,
} from '@sealpost/fhir';
import { sealContent } from '@sealpost/messaging';
import { type LoopbackFhirServer, startLoopbackFhirServer } from '@sealpost/test-peers/fhir';
import Client from 'fhir-kit-client';
import Redis from 'ioredis';
import { type DataSource } from 'typeorm';
import { AppProcess } from './app-process';
import { print, progress, seconds, warnIfBusy } from './bench-report';

export interface FhirBenchOptions {
  events: number;
  postgresUrl: string;
  redisUrl: string;
}

// What a recipient's stream looks like: sent, delivered, then opens and clicks. Each round
// gives every recipient one event, so every event is one Communication write.
const ROUNDS = ['queued', 'delivered', 'opened', 'clicked', 'opened'];
const ROUNDS_EXTRA = ['clicked', 'opened', 'clicked', 'opened', 'clicked'];
const EVENT_ROUNDS = [...ROUNDS, ...ROUNDS_EXTRA];
// The worker writes with this many syncs in flight (FhirSyncProcessor); the raw reference
// uses as many creates in flight, so the two load the server alike.
const IN_FLIGHT = 8;
const READY_TIMEOUT_MS = 60_000;

/**
 * N engagement events (queued, delivered, opens and clicks of N/10 patient recipients)
 * charted by the built worker in a loopback FHIR server (Medplum's router, in memory): the
 * trigger, dispatcher, Bull and a versioned update per event. Beside it, in the same run and
 * against the same server, raw fhir-kit-client creates of as many Communications.
 */
export async function runFhirBench(options: FhirBenchOptions): Promise<number> {
  warnIfBusy();
  Logger.overrideLogger(['warn', 'error']);
  const recipients = Math.max(1, Math.floor(options.events / EVENT_ROUNDS.length));
  const token = randomBytes(24).toString('base64url');
  const ehr = await startLoopbackFhirServer({ acceptsToken: (given) => given === token });
  const database = new URL(options.postgresUrl);
  database.pathname = `/sealpost_bench_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sealpost-bench-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: database.href,
    REDIS_URL: options.redisUrl,
    SEALPOST_QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_DATA_DIR: dataDir,
    SEALPOST_LOG_LEVEL: 'warn',
  };
  await migrateDatabase(database.href);
  const dataSource = createDataSource(database.href, CORE_ENTITIES);
  await dataSource.initialize();
  // As in SealpostStack: e.g. BENCH_NODE_ARGS=--cpu-prof to profile the worker under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const worker = new AppProcess('worker', env, nodeArgs);
  try {
    const organisationId = await connectedOrganisation(dataSource, env, ehr, token);
    const ids = await patientMessages(dataSource, env, organisationId, recipients + 1);
    const probe = ids.pop()!;
    worker.start();
    progress('waiting for the worker to chart a probe event');
    await insertRound(dataSource, organisationId, [probe], 'delivered');
    await allSynced(dataSource, worker, READY_TIMEOUT_MS);

    progress(`${recipients * EVENT_ROUNDS.length} events for ${recipients} recipients`);
    const writesBefore = communicationWrites(ehr);
    const started = performance.now();
    for (const type of EVENT_ROUNDS) {
      await insertRound(dataSource, organisationId, ids, type);
      await allSynced(dataSource, worker, READY_TIMEOUT_MS * 10);
    }
    const chartedMs = performance.now() - started;
    const writes = communicationWrites(ehr) - writesBefore;
    const events = recipients * EVENT_ROUNDS.length;

    progress(`raw fhir-kit-client: ${writes} creates, ${IN_FLIGHT} in flight`);
    const rawMs = await rawCreates(ehr, token, writes);

    const chartedRate = (writes * 1000) / chartedMs;
    const rawRate = (writes * 1000) / rawMs;
    print(`events charted: ${events} in ${seconds(chartedMs)} (${rate(events, chartedMs)}/s)`);
    print(`Communications written: ${writes} (${chartedRate.toFixed(0)}/s)`);
    print(`raw fhir-kit-client create: ${writes} in ${seconds(rawMs)} (${rawRate.toFixed(0)}/s)`);
    print(
      `fhir: ${chartedRate.toFixed(0)} Communications/s vs raw create ${rawRate.toFixed(0)}/s: ` +
        `ratio ${(chartedRate / rawRate).toFixed(2)} (target >= 0.5)`,
    );
    return 0;
  } finally {
    await worker.stop();
    await dataSource.destroy();
    await ehr.close();
    await clearQueues(env);
    await dropDatabase(database.href);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function connectedOrganisation(
  dataSource: DataSource,
  env: Record<string, string>,
  ehr: LoopbackFhirServer,
  token: string,
): Promise<string> {
  const config = loadConfig(env);
  const organisation = await new OrganisationsService(dataSource).create('fhir-bench');
  const audit = standaloneAuditLog(dataSource, config);
  const cipher = new EnvelopeCipher(config.crypto.masterKey);
  const clock = new SystemClock();
  const keys = new FhirSigningKeysService(dataSource, cipher, clock, audit);
  const connections = new FhirConnectionsService(dataSource, cipher, keys, audit);
  const connection = await connections.create(
    organisation.id,
    { name: 'bench EHR', baseUrl: ehr.baseUrl, authMode: 'bearer', bearerToken: token },
    { type: 'system', id: 'bench' },
  );
  const clients = new FhirClientFactory(new SmartTokenProvider(keys, clock));
  const found = await new TestFhirConnectionUseCase(connections, clients).execute(
    organisation.id,
    connection.id,
  );
  if (found.capabilities?.writeMode !== 'update') {
    throw new Error('the loopback FHIR server should offer conditional update');
  }
  return organisation.id;
}

/** Messages to contacts linked to Patients, sealed as the API seals them. */
async function patientMessages(
  dataSource: DataSource,
  env: Record<string, string>,
  organisationId: string,
  count: number,
): Promise<string[]> {
  const cipher = new EnvelopeCipher(loadConfig(env).crypto.masterKey);
  const rows = Array.from({ length: count }, (_, index) => {
    const messageId = randomUUID();
    const address = `patient${index}@patients.example`;
    const sealed = sealContent(cipher, organisationId, messageId, {
      subject: 'Your appointment reminder',
      text: 'See you on Monday at 9.',
      headers: {},
      attachments: [],
      to: [address],
      cc: [],
    });
    return { messageId, recipientId: randomUUID(), address, sealed };
  });
  await dataSource.query(
    `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
       content_wrapped_key, content_key_id, size_bytes)
     SELECT id, $1, 'clinic@example.org', c, w, k, 1
       FROM unnest($2::uuid[], $3::bytea[], $4::bytea[], $5::text[]) AS t(id, c, w, k)`,
    [
      organisationId,
      rows.map((row) => row.messageId),
      rows.map((row) => row.sealed.ciphertext),
      rows.map((row) => row.sealed.wrappedKey),
      rows.map((row) => row.sealed.keyId),
    ],
  );
  await dataSource.query(
    `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address, domain,
       status)
     SELECT r, $1, m, 'to', a, 'patients.example', 'sent'
       FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS t(r, m, a)`,
    [
      organisationId,
      rows.map((row) => row.recipientId),
      rows.map((row) => row.messageId),
      rows.map((row) => row.address),
    ],
  );
  await dataSource.query(
    `INSERT INTO contacts (id, organisation_id, email, email_normalised, ehr_patient_ref)
     SELECT gen_random_uuid(), $1, a, a, 'Patient/' || i
       FROM unnest($2::text[]) WITH ORDINALITY AS t(a, i)`,
    [organisationId, rows.map((row) => row.address)],
  );
  return rows.map((row) => `${row.messageId}/${row.recipientId}`);
}

/** One event for each recipient, in one statement, as a delivery batch records them. */
async function insertRound(
  dataSource: DataSource,
  organisationId: string,
  ids: string[],
  type: string,
): Promise<void> {
  await dataSource.query(
    `INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
     SELECT $1, split_part(id, '/', 1)::uuid, split_part(id, '/', 2)::uuid, $3
       FROM unnest($2::text[]) AS t(id)`,
    [organisationId, ids, type],
  );
}

async function allSynced(dataSource: DataSource, worker: AppProcess, within: number) {
  const deadline = Date.now() + within;
  for (;;) {
    const [{ waiting, failed }] = await dataSource.query<{ waiting: number; failed: number }[]>(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS waiting,
              count(*) FILTER (WHERE status = 'failed')::int AS failed FROM fhir_syncs`,
    );
    if (failed > 0) {
      throw new Error(`${failed} FHIR syncs failed:\n${worker.tail()}`);
    }
    if (waiting === 0) {
      return;
    }
    if (!worker.running || Date.now() > deadline) {
      throw new Error(`${waiting} FHIR syncs still pending:\n${worker.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function communicationWrites(ehr: LoopbackFhirServer): number {
  return ehr.requests.filter((request) => /^(PUT|POST) \/Communication/.test(request)).length;
}

/**
 * The same number of Communications created with fhir-kit-client alone: copies of one the
 * worker wrote (its size and shape, the engagement extension included), each with its own
 * identifier, so both sides ask the server to store the same resources.
 */
async function rawCreates(ehr: LoopbackFhirServer, token: string, count: number) {
  const client = new Client({
    baseUrl: ehr.baseUrl,
    customHeaders: { authorization: `Bearer ${token}` },
  });
  const bundle = (await client.search({
    resourceType: 'Communication',
    searchParams: { _count: '1', _sort: '-_lastUpdated' },
  })) as { entry?: { resource: Record<string, unknown> }[] };
  const written = bundle.entry?.[0]?.resource;
  if (!written) {
    throw new Error('the worker wrote no Communication to copy');
  }
  // The server gives each copy its own id and meta.
  const template = { ...written };
  delete template.id;
  delete template.meta;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next += 1;
        await client.create({
          resourceType: 'Communication',
          body: {
            ...template,
            resourceType: 'Communication',
            identifier: [{ system: 'https://bench.example/raw', value: String(next) }],
          },
        });
      }
    }),
  );
  return performance.now() - started;
}

function rate(count: number, milliseconds: number): string {
  return ((count * 1000) / milliseconds).toFixed(0);
}

async function clearQueues(env: Record<string, string>): Promise<void> {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const keys = await redis.keys(`${env.SEALPOST_QUEUE_PREFIX}:*`);
    if (keys.length) {
      await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
