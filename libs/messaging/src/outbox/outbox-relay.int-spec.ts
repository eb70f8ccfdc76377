import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  type AuthContext,
  CoreModule,
  OrganisationsService,
  type SealpostConfig,
} from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import Queue from 'bull';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MESSAGING_ENTITIES } from '../index';
import { AcceptMessageUseCase } from '../messages/accept-message.use-case';
import { MessagingModule } from '../messaging.module';
import { DELIVERY_QUEUE } from '../messaging.constants';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  deleteRedisKeys,
  testConfig,
} from '../testing/messaging-test-kit';
import {
  type DeliveryBatchJob,
  type DeliveryJob,
  deliveriesOf,
  MAX_DELIVERIES_PER_JOB,
} from './delivery-job';
import { OutboxRelay } from './outbox-relay.service';

interface OutboxRow {
  id: string;
  organisation_id: string;
  ref_id: string;
  enqueued_at: Date | null;
}

describe('OutboxRelay (real PostgreSQL and Redis)', () => {
  let database: TestDatabase;
  let config: SealpostConfig;
  let queue: Queue.Queue<DeliveryBatchJob>;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let relay: OutboxRelay;
  let accept: AcceptMessageUseCase;
  let caller: AuthContext;

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testConfig(database.url);
    queue = new Queue<DeliveryBatchJob>(DELIVERY_QUEUE, config.redis.url, {
      prefix: config.redis.queuePrefix,
    });
    // Real database, cipher and queue; the relay's polling loop is not started (no init()),
    // so each test drives relayOnce() itself.
    moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config, MESSAGING_ENTITIES), MessagingModule],
      providers: [OutboxRelay, { provide: getQueueToken(DELIVERY_QUEUE), useValue: queue }],
    }).compile();
    dataSource = moduleRef.get(DataSource);
    relay = moduleRef.get(OutboxRelay);
    accept = moduleRef.get(AcceptMessageUseCase);
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE outbox, message_events, message_recipients, messages CASCADE');
    await queue.obliterate({ force: true });
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await moduleRef?.close();
    await database?.drop();
    if (config) {
      await deleteRedisKeys(config.redis.url, config.redis.queuePrefix);
    }
  });

  /** Accepts one message with `count` recipients; no relay runs, as after a crash. */
  async function acceptUnrelayed(count: number): Promise<string[]> {
    const to = Array.from({ length: count }, () => anAddress());
    const { message } = await accept.execute(caller, aSendMessageCommand({ to }));
    return message.recipients.map((recipient) => recipient.id);
  }

  function outboxRows(): Promise<OutboxRow[]> {
    return dataSource.query<OutboxRow[]>(
      'SELECT id, organisation_id, ref_id, enqueued_at FROM outbox ORDER BY id',
    );
  }

  async function queuedEventsPerRecipient(): Promise<Record<string, number>> {
    const rows = await dataSource.query<{ recipient_id: string; count: string }[]>(
      `SELECT recipient_id, count(*) FROM message_events WHERE type = 'queued'
        GROUP BY recipient_id`,
    );
    return Object.fromEntries(rows.map((row) => [row.recipient_id, Number(row.count)]));
  }

  async function queuedBatches(): Promise<DeliveryBatchJob[]> {
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'paused']);
    return jobs.map((job) => job.data);
  }

  async function queuedDeliveries(): Promise<DeliveryJob[]> {
    return (await queuedBatches()).flatMap((batch) => deliveriesOf(batch));
  }

  /** For each outbox row, the delivery some queued job holds for it, or null. */
  async function jobsFor(rows: OutboxRow[]): Promise<(DeliveryJob | null)[]> {
    const deliveries = await queuedDeliveries();
    return rows.map((row) => deliveries.find((job) => job.outboxId === row.id) ?? null);
  }

  function onePerRecipient(recipientIds: string[]): Record<string, number> {
    return Object.fromEntries(recipientIds.map((id) => [id, 1]));
  }

  it('enqueues rows that were committed but never handed to the queue', async () => {
    await acceptUnrelayed(3);
    const before = await outboxRows();

    const relayed = await relay.relayOnce();

    expect(before.every((row) => row.enqueued_at === null)).toBe(true);
    expect(relayed).toBe(3);
    expect(await jobsFor(before)).toEqual(
      before.map((row) => ({
        v: 1,
        outboxId: row.id,
        recipientId: row.ref_id,
        organisationId: caller.organisationId,
      })),
    );
    expect((await outboxRows()).every((row) => row.enqueued_at !== null)).toBe(true);
  });

  it('puts only ids in a job', async () => {
    await acceptUnrelayed(1);
    const [row] = await outboxRows();

    await relay.relayOnce();

    const [batch] = await queuedBatches();
    expect(Object.keys(batch).sort()).toEqual(['items', 'organisationId', 'v']);
    expect(batch.items).toEqual([{ outboxId: row.id, recipientId: row.ref_id }]);
  });

  it('batches rows per organisation, never more than the limit in one job', async () => {
    const ours = await acceptUnrelayed(MAX_DELIVERIES_PER_JOB + 4);
    const other = await aCaller(moduleRef.get(OrganisationsService));
    const theirs = await accept.execute(other, aSendMessageCommand({ to: [anAddress()] }));

    await relay.relayOnce();

    const batches = await queuedBatches();
    const sizes = (organisationId: string) =>
      batches
        .filter((batch) => batch.organisationId === organisationId)
        .map((batch) => batch.items.length)
        .sort((a, b) => a - b);
    expect(sizes(caller.organisationId)).toEqual([4, MAX_DELIVERIES_PER_JOB]);
    expect(sizes(other.organisationId)).toEqual([1]);
    const delivered = (await queuedDeliveries()).map((job) => job.recipientId).sort();
    expect(delivered).toEqual([...ours, theirs.message.recipients[0].id].sort());
  });

  it('marks each relayed recipient queued with one queued event', async () => {
    const recipientIds = await acceptUnrelayed(2);

    await relay.relayOnce();

    const statuses = await dataSource.query<{ status: string }[]>(
      'SELECT status FROM message_recipients WHERE id = ANY($1::uuid[])',
      [recipientIds],
    );
    expect(statuses).toEqual([{ status: 'queued' }, { status: 'queued' }]);
    expect(await queuedEventsPerRecipient()).toEqual(onePerRecipient(recipientIds));
  });

  it('does not enqueue a row again right after relaying it', async () => {
    const recipientIds = await acceptUnrelayed(2);
    await relay.relayOnce();
    const enqueuedAt = (await outboxRows()).map((row) => row.enqueued_at);

    const again = await relay.relayOnce();

    expect(again).toBe(0);
    expect((await outboxRows()).map((row) => row.enqueued_at)).toEqual(enqueuedAt);
    expect(await queuedDeliveries()).toHaveLength(2);
    expect(await queuedEventsPerRecipient()).toEqual(onePerRecipient(recipientIds));
  });

  it('restores jobs lost from Redis once the re-enqueue delay has passed', async () => {
    const recipientIds = await acceptUnrelayed(2);
    await relay.relayOnce();
    await queue.obliterate({ force: true });
    const rows = await outboxRows();
    expect(await jobsFor(rows)).toEqual([null, null]);

    const tooSoon = await relay.relayOnce();
    await dataSource.query(`UPDATE outbox SET enqueued_at = now() - interval '31 seconds'`);
    const restored = await relay.relayOnce();

    expect(tooSoon).toBe(0);
    expect(restored).toBe(2);
    expect((await jobsFor(rows)).map((job) => job?.recipientId)).toEqual(
      rows.map((row) => row.ref_id),
    );
    expect(await queuedEventsPerRecipient()).toEqual(onePerRecipient(recipientIds));
  });

  it('offers no row again while Bull holds a backlog, and restores it once drained', async () => {
    const recipientIds = await acceptUnrelayed(2);
    await relay.relayOnce();
    await queue.obliterate({ force: true });
    // Jobs of other messages still waiting: what a deep backlog looks like to the relay.
    await queue.addBulk(
      Array.from({ length: 100 }, (_, index) => ({
        name: 'backlog',
        data: { v: 2, organisationId: randomUUID(), items: [] } as unknown as DeliveryBatchJob,
        opts: { jobId: `backlog-${index}` },
      })),
    );
    await dataSource.query(`UPDATE outbox SET enqueued_at = now() - interval '31 seconds'`);

    const duringBacklog = await relay.relayOnce();
    await queue.obliterate({ force: true });
    const afterwards = await relay.relayOnce();

    expect(duringBacklog).toBe(0);
    expect(afterwards).toBe(2);
    expect((await queuedDeliveries()).map((job) => job.recipientId).sort()).toEqual(
      [...recipientIds].sort(),
    );
  });

  it('skips rows another relay holds instead of waiting for them', async () => {
    await acceptUnrelayed(4);
    const rows = await outboxRows();
    const held = rows.slice(0, 2).map((row) => row.id);
    const other = new Client({ connectionString: database.url });
    await other.connect();

    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM outbox WHERE id = ANY($1::bigint[]) FOR UPDATE', [held]);
      const whileHeld = await withTimeout(relay.relayOnce(), 5000, 'relay waited on locked rows');
      const jobsWhileHeld = await jobsFor(rows);
      await other.query('ROLLBACK');
      const afterRelease = await relay.relayOnce();

      expect(whileHeld).toBe(2);
      expect(jobsWhileHeld.map((job) => job?.outboxId ?? null)).toEqual([
        null,
        null,
        rows[2].id,
        rows[3].id,
      ]);
      expect(afterRelease).toBe(2);
    } finally {
      await other.end();
    }
  });

  it('never enqueues one row twice when two relays run at once', async () => {
    const recipientIds = [...(await acceptUnrelayed(20)), ...(await acceptUnrelayed(20))];
    // A second relay process: its own instance over the same database and queue.
    const secondRelay = new OutboxRelay(dataSource, queue, config);

    const counts = await Promise.all([relay.relayOnce(), secondRelay.relayOnce()]);

    expect(counts[0] + counts[1]).toBe(40);
    expect(await queuedDeliveries()).toHaveLength(40);
    expect(await queuedEventsPerRecipient()).toEqual(onePerRecipient(recipientIds));
  });
});

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
