import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AuditChainVerifier, AuditRecordsQuery, standaloneAuditLog } from '@sealpost/audit';
import {
  type AuditEntry,
  createDataSource,
  dropDatabase,
  loadConfig,
  migrateDatabase,
} from '@sealpost/core';
import { type DataSource } from 'typeorm';
import { print, progress, seconds, warnIfBusy } from './bench-report';

export interface AuditBenchOptions {
  records: number;
  postgresUrl: string;
}

// The batch the worker's message-event chainer appends in one transaction; the raw reference
// inserts the same number of rows per statement, so the ratio is what chaining costs.
const BATCH = 1000;
const SEARCH_RUNS = 20;
const ACTORS = 50;
const ACTIONS = [
  'message.delivered',
  'message.accepted',
  'message.opened',
  'message.clicked',
  'portal.viewed',
  'policy.updated',
  'api_key.created',
  'message.read',
];

/**
 * Appends N audit records to one organisation's hash chain through the AuditLog (in batches
 * of 1,000 per transaction, as the message-event chainer does), verifies the whole chain,
 * and times the five commonest searches; beside it, in the same run, plain multi-row INSERTs
 * of the same rows into a table shaped like audit_records. Returns the exit code.
 */
export async function runAuditBench(options: AuditBenchOptions): Promise<number> {
  warnIfBusy();
  Logger.overrideLogger(['warn', 'error']);
  const url = new URL(options.postgresUrl);
  url.pathname = `/sealpost_bench_${randomBytes(6).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url.href,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_LOG_LEVEL: 'warn',
  });
  await migrateDatabase(url.href);
  const dataSource = createDataSource(url.href, []);
  await dataSource.initialize();
  try {
    const organisationId = await organisation(dataSource, 'audit-bench');
    const entries = entryMaker(organisationId);

    progress(`raw INSERT of ${options.records} rows`);
    await dataSource.query(`CREATE TABLE raw_audit_records (LIKE audit_records INCLUDING ALL)`);
    const rawMs = await timed(() => rawInsert(dataSource, organisationId, options.records));

    progress(`appending ${options.records} records to the chain`);
    const audit = standaloneAuditLog(dataSource, config);
    const appendMs = await timed(async () => {
      for (let start = 0; start < options.records; start += BATCH) {
        const count = Math.min(BATCH, options.records - start);
        await dataSource.transaction((tx) =>
          audit.appendAll(tx, organisationId, entries(start, count)),
        );
      }
    });
    await dataSource.query(`ANALYZE audit_records`);

    progress('verifying the chain');
    const verifier = new AuditChainVerifier(dataSource);
    let verified = { ok: false, records: 0 };
    const verifyMs = await timed(async () => {
      verified = await verifier.verify(organisationId);
    });
    if (!verified.ok || verified.records !== options.records) {
      throw new Error(`verification read ${verified.records} records, ok=${verified.ok}`);
    }

    progress('searching');
    const searches = await timeSearches(new AuditRecordsQuery(dataSource), organisationId);

    const appendRate = options.records / (appendMs / 1000);
    const rawRate = options.records / (rawMs / 1000);
    print(`raw INSERT (${BATCH} rows per statement): ${seconds(rawMs)}, ${rawRate.toFixed(0)}/s`);
    const appended = `${seconds(appendMs)}, ${appendRate.toFixed(0)}/s`;
    print(`chained appends (${BATCH} per transaction): ${appended}`);
    print(
      `verify: ${verified.records} records in ${seconds(verifyMs)}, ` +
        `${(verified.records / (verifyMs / 1000)).toFixed(0)} records/s`,
    );
    for (const [name, p95] of searches) {
      print(`search ${name}: p95 ${p95.toFixed(1)} ms (${SEARCH_RUNS} runs, page of 50)`);
    }
    print(
      `audit: appends ${appendRate.toFixed(0)}/s, raw PostgreSQL inserts ` +
        `${rawRate.toFixed(0)}/s, ratio ${(appendRate / rawRate).toFixed(2)}`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
    await dropDatabase(url.href);
  }
}

async function organisation(dataSource: DataSource, name: string): Promise<string> {
  const [{ id }] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO organisations (name) VALUES ($1) RETURNING id`,
    [name],
  );
  return id;
}

/** Entries like the chain's everyday traffic: mostly message events, some admin actions. */
function entryMaker(organisationId: string) {
  const actors = Array.from({ length: ACTORS }, () => randomUUID());
  return (start: number, count: number): AuditEntry[] =>
    Array.from({ length: count }, (_, offset) => {
      const i = start + offset;
      return {
        organisationId,
        actor: { type: i % 10 === 0 ? 'api_key' : 'system', id: actors[i % ACTORS] },
        action: ACTIONS[i % ACTIONS.length],
        target: { type: 'message', id: uuidOf(i) },
        details: { eventId: i, recipients: 1 + (i % 3) },
      };
    });
}

/** A stable UUID-shaped id per index, so a search can name a target that exists. */
function uuidOf(i: number): string {
  const hex = createHash('md5').update(String(i)).digest('hex');
  const parts = [
    [0, 8],
    [8, 12],
    [12, 16],
    [16, 20],
    [20, 32],
  ];
  return parts.map(([from, to]) => hex.slice(from, to)).join('-');
}

/** The same rows, hashes included as random bytes, with none of the chaining work. */
async function rawInsert(dataSource: DataSource, organisationId: string, records: number) {
  const entries = entryMaker(organisationId);
  for (let start = 0; start < records; start += BATCH) {
    const batch = entries(start, Math.min(BATCH, records - start));
    await dataSource.query(
      `INSERT INTO raw_audit_records (organisation_id, sequence, recorded_at, actor_type,
         actor_id, action, target_type, target_id, outcome, details, previous_hash, hash)
       SELECT $1, u.sequence, now(), u.actor_type, u.actor_id, u.action, 'message',
              u.target_id, 'success', u.details, u.previous_hash, u.hash
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::jsonb[], $8::bytea[], $9::bytea[])
           AS u(sequence, actor_type, actor_id, action, target_id, details, previous_hash, hash)`,
      [
        organisationId,
        batch.map((_, offset) => start + offset + 1),
        batch.map((entry) => entry.actor.type),
        batch.map((entry) => entry.actor.id),
        batch.map((entry) => entry.action),
        batch.map((entry) => entry.target.id),
        batch.map((entry) => JSON.stringify(entry.details)),
        batch.map(() => randomBytes(32)),
        batch.map(() => randomBytes(32)),
      ],
    );
  }
}

/** The five searches a compliance officer runs most, each timed SEARCH_RUNS times. */
async function timeSearches(
  query: AuditRecordsQuery,
  organisationId: string,
): Promise<[string, number][]> {
  const now = Date.now();
  const searches: [string, Parameters<AuditRecordsQuery['list']>[1]][] = [
    ['newest', { limit: 50 }],
    ['by action', { action: 'policy.updated', limit: 50 }],
    ['by actor', { actorType: 'api_key', actorId: '', limit: 50 }],
    ['by target', { targetType: 'message', targetId: uuidOf(4242), limit: 50 }],
    ['last hour', { from: new Date(now - 3600_000), to: new Date(now), limit: 50 }],
  ];
  const [first] = await query
    .list(organisationId, { actorType: 'api_key', limit: 1 })
    .then((page) => page.data);
  searches[2][1].actorId = first?.actor.id ?? '';
  const results: [string, number][] = [];
  for (const [name, filters] of searches) {
    const times: number[] = [];
    for (let run = 0; run < SEARCH_RUNS; run += 1) {
      times.push(await timed(() => query.list(organisationId, filters)));
    }
    times.sort((a, b) => a - b);
    results.push([name, times[Math.ceil(0.95 * times.length) - 1]]);
  }
  return results;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
