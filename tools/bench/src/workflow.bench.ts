import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import { CoreModule, dropDatabase, loadConfig, migrateDatabase } from '@sealpost/core';
import { MESSAGING_ENTITIES } from '@sealpost/messaging';
import {
  Clock,
  EnrollContactsUseCase,
  ManualClock,
  RunEnrollmentUseCase,
  TemplatesService,
  WORKFLOW_JOB,
  WORKFLOW_QUEUE,
  type QueuedWorkflowJob,
  WorkflowScheduler,
  WorkflowsModule,
  WorkflowsService,
} from '@sealpost/workflow';
import Queue from 'bull';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { print, progress, seconds, warnIfBusy } from './bench-report';
import { BENCH_RECIPIENT_DOMAIN, type DeliveryReport } from './workflow-delivery-worker';

export interface WorkflowBenchOptions {
  contacts: number;
  postgresUrl: string;
  redisUrl: string;
}

// As the worker runs it (WorkflowProcessor); the reference updates use as many clients.
const CONCURRENCY = 8;
const DAY_MS = 24 * 60 * 60 * 1000;
// Enough single-row updates for a steady rate, few enough to keep the reference short.
const RAW_UPDATES = 20_000;
// Delivery runs behind the engine; past the engine's end it gets this long, plus a little
// per email, before the run counts as failed.
const DELIVERY_GRACE_MS = 60_000;
const DELIVERY_MS_PER_EMAIL = 10;
const MB = 1024 * 1024;

/**
 * N contacts through a five-step journey (send, wait a day, branch on open, send, end) with
 * the clock moved past the wait: the scheduler claims due rows in PostgreSQL, Bull in Redis
 * carries batch jobs, the runner takes each batch's steps and accepts its emails into the
 * durable outbox in one transaction. A second process relays the outbox and delivers, as the
 * worker does, to a loopback STARTTLS sink that counts every email once. The reference, in
 * the same run, is raw single-row UPDATEs of the same table from as many clients.
 */
export async function runWorkflowBench(options: WorkflowBenchOptions): Promise<number> {
  warnIfBusy();
  Logger.overrideLogger(['warn', 'error']);
  const url = new URL(options.postgresUrl);
  url.pathname = `/sealpost_bench_${randomBytes(6).toString('hex')}`;
  await migrateDatabase(url.href);
  const env = {
    DATABASE_URL: url.href,
    REDIS_URL: options.redisUrl,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'warn',
    SEALPOST_EHLO_NAME: 'sealpost.test',
  };
  const config = loadConfig(env);
  const queue = new Queue<QueuedWorkflowJob>(WORKFLOW_QUEUE, config.redis.url, {
    prefix: config.redis.queuePrefix,
  });
  const clock = new ManualClock(new Date());
  const app = await Test.createTestingModule({
    imports: [CoreModule.forRoot(config, MESSAGING_ENTITIES), WorkflowsModule, AuditModule],
    providers: [WorkflowScheduler, { provide: getQueueToken(WORKFLOW_QUEUE), useValue: queue }],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const dataSource = app.get(DataSource);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  let delivery: DeliveryProcess | undefined;
  try {
    const caller = await setUp(dataSource, options.contacts);
    const workflowId = await aJourney(app.get(WorkflowsService), app.get(TemplatesService), caller);
    const runner = app.get(RunEnrollmentUseCase);
    void queue.process(WORKFLOW_JOB, CONCURRENCY, (job) => runner.execute(job.data));
    const drain = () => drainDue(app.get(WorkflowScheduler), queue, dataSource);
    progress('starting the delivery process (outbox relay, delivery, loopback sink)');
    delivery = await DeliveryProcess.start(env);

    progress(`enrolling ${options.contacts} contacts (a list of them)`);
    const start = performance.now();
    await app.get(EnrollContactsUseCase).execute(caller, workflowId, { listId: caller.listId });
    // As autovacuum would after a bulk insert (it may be off on a developer's server): plans
    // made on the statistics of an empty table would scan where they should look up.
    await dataSource.query('ANALYZE workflow_enrollments');
    await drain();
    progress(`first send and the wait entered: ${seconds(performance.now() - start)}`);
    progress('half the contacts open their email; the clock moves on a day');
    await dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
       SELECT m.organisation_id, m.id, r.id, 'opened' FROM messages m
         JOIN message_recipients r ON r.message_id = m.id
        WHERE m.organisation_id = $1 AND right(m.metadata ->> 'contactId', 1) < '8'`,
      [caller.organisationId],
    );
    clock.advance(DAY_MS + 1000);
    await drain();
    const elapsedMs = performance.now() - start;

    const [{ transitions, emails, completed }] = await dataSource.query<
      { transitions: number; emails: number; completed: number }[]
    >(
      `SELECT (SELECT count(*)::int FROM workflow_step_runs) +
              (SELECT count(*)::int FROM workflow_enrollments) AS transitions,
              (SELECT count(*)::int FROM messages) AS emails,
              (SELECT count(*)::int FROM workflow_enrollments WHERE state = 'completed')
                AS completed`,
    );
    if (completed !== options.contacts) {
      throw new Error(`${completed} of ${options.contacts} journeys completed`);
    }
    progress(`engine done in ${seconds(elapsedMs)}; waiting for ${emails} emails at the sink`);
    const arrived = await delivery.waitFor(
      emails,
      DELIVERY_GRACE_MS + DELIVERY_MS_PER_EMAIL * emails,
    );
    const deliveredMs = performance.now() - start;
    const deliveryReport = await delivery.stop();
    delivery = undefined;

    progress(`reference: ${RAW_UPDATES} single-row UPDATEs from ${CONCURRENCY} clients`);
    const rawRate = await rawUpdateRate(dataSource, caller.organisationId);
    const transitionRate = transitions / (elapsedMs / 1000);
    print(
      `workflow (${options.contacts} contacts, 5 steps): ${seconds(elapsedMs)}, ` +
        `${transitions} step transitions (runs and wait entries), ${emails} emails accepted; ` +
        `${deliveryReport.delivered} delivered to the sink in ${seconds(deliveredMs)}, ` +
        `${deliveryReport.duplicates} twice`,
    );
    print(
      `step transitions ${transitionRate.toFixed(0)}/s, emails accepted ` +
        `${(emails / (elapsedMs / 1000)).toFixed(0)}/s, emails delivered ` +
        `${(deliveryReport.delivered / (deliveredMs / 1000)).toFixed(0)}/s, peak RSS ` +
        `${(peakRss / MB).toFixed(0)} MB (engine), ` +
        `${(deliveryReport.peakRssBytes / MB).toFixed(0)} MB (delivery and sink)`,
    );
    print(
      `workflow: transitions ${transitionRate.toFixed(0)}/s, raw PostgreSQL single-row ` +
        `updates ${rawRate.toFixed(0)}/s, ratio ${(transitionRate / rawRate).toFixed(2)}`,
    );
    if (!arrived || deliveryReport.duplicates > 0) {
      progress(
        `delivery incomplete: ${deliveryReport.delivered} of ${emails} arrived, ` +
          `${deliveryReport.duplicates} twice`,
      );
      return 1;
    }
    return 0;
  } finally {
    clearInterval(sampler);
    await delivery?.stop();
    await queue.close();
    await app.close();
    await clearQueuePrefix(config.redis.url, config.redis.queuePrefix);
    await dropDatabase(url.href);
  }
}

/** Every key of the run's queue prefix: the workflow queue and the delivery process's. */
async function clearQueuePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    for (let start = 0; start < keys.length; start += 1000) {
      await redis.del(...keys.slice(start, start + 1000));
    }
  } finally {
    redis.disconnect();
  }
}

/** The bench's delivery side (workflow-delivery-worker) as a child process. */
class DeliveryProcess {
  private latest: DeliveryReport = {
    kind: 'arrivals',
    delivered: 0,
    duplicates: 0,
    peakRssBytes: 0,
  };
  private exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (report: DeliveryReport) => {
      this.latest = report;
    });
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
  }

  static async start(env: Record<string, string>): Promise<DeliveryProcess> {
    const child = fork(join(__dirname, 'workflow-delivery-worker.js'), [], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const started = new DeliveryProcess(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`delivery process exited with ${code}`)));
    });
    return started;
  }

  /** True once `count` emails arrived; false when `timeoutMs` passed first. */
  async waitFor(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.latest.delivered < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.latest.delivered >= count;
  }

  /** Its last report, once it has stopped. */
  async stop(): Promise<DeliveryReport> {
    if (this.child.connected) {
      this.child.disconnect();
    }
    await this.exited;
    return this.latest;
  }
}

interface BenchCaller {
  organisationId: string;
  /** A list of all the bench's contacts: enrollment streams it, holding no ids in memory. */
  listId: string;
  apiKeyId: string;
  scopes: ['workflows:manage'];
}

async function setUp(dataSource: DataSource, contacts: number): Promise<BenchCaller> {
  const [{ id }] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO organisations (name) VALUES ('bench') RETURNING id`,
  );
  progress(`inserting ${contacts} contacts`);
  await dataSource.query(
    `INSERT INTO contacts (id, organisation_id, email, email_normalised, name, time_zone)
     SELECT gen_random_uuid(), $1, 'p' || i || '@${BENCH_RECIPIENT_DOMAIN}',
            'p' || i || '@${BENCH_RECIPIENT_DOMAIN}', 'Patient ' || i, 'America/Chicago'
       FROM generate_series(1, $2) AS i`,
    [id, contacts],
  );
  const [list] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO contact_lists (id, organisation_id, name)
     VALUES (gen_random_uuid(), $1, 'bench') RETURNING id`,
    [id],
  );
  await dataSource.query(
    `INSERT INTO contact_list_members (organisation_id, list_id, contact_id)
     SELECT $1, $2, id FROM contacts WHERE organisation_id = $1`,
    [id, list.id],
  );
  await dataSource.query('ANALYZE contacts, contact_list_members');
  return {
    organisationId: id,
    listId: list.id,
    apiKeyId: 'bench',
    scopes: ['workflows:manage'],
  };
}

async function aJourney(
  workflows: WorkflowsService,
  templates: TemplatesService,
  caller: BenchCaller,
): Promise<string> {
  const template = await templates.create(caller, {
    name: 'bench',
    subject: 'Your visit',
    text: 'Dear {{contact.name}}, see you soon.',
  });
  const workflow = await workflows.create(caller, {
    name: 'bench',
    settings: {
      senderName: 'Bench',
      senderAddress: 'bench@example.org',
      replyTo: null,
      priority: 0,
    },
    definition: {
      start: 'first',
      steps: [
        { id: 'first', type: 'send_email', templateId: template.id, next: 'pause' },
        {
          id: 'pause',
          type: 'wait_time',
          wait: { kind: 'duration', duration: 'P1D' },
          next: 'open',
        },
        {
          id: 'open',
          type: 'branch',
          conditions: [{ when: { kind: 'opened', stepId: 'first' }, next: 'end' }],
          fallback: 'second',
        },
        { id: 'second', type: 'send_email', templateId: template.id, next: 'end' },
        { id: 'end', type: 'end' },
      ],
    },
  });
  return workflow.id;
}

/** Dispatches until nothing is due at the clock's time and Bull holds no job. */
async function drainDue(
  scheduler: WorkflowScheduler,
  queue: Queue.Queue<QueuedWorkflowJob>,
  dataSource: DataSource,
): Promise<void> {
  for (;;) {
    const dispatched = await scheduler.dispatchOnce();
    const counts = await queue.getJobCounts();
    if (dispatched === 0 && counts.waiting + counts.active + counts.delayed === 0) {
      const [{ due }] = await dataSource.query<{ due: number }[]>(
        `SELECT count(*)::int AS due FROM workflow_enrollments
          WHERE state = 'active' AND enqueued_at IS NULL`,
      );
      if (due === 0) {
        return;
      }
    }
    if (dispatched === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** The reference: one UPDATE of one row per statement, from CONCURRENCY clients at once. */
async function rawUpdateRate(dataSource: DataSource, organisationId: string): Promise<number> {
  const ids = (
    await dataSource.query<{ id: string }[]>(
      'SELECT id FROM workflow_enrollments WHERE organisation_id = $1 LIMIT $2',
      [organisationId, RAW_UPDATES],
    )
  ).map((row) => row.id);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RAW_UPDATES) {
        const id = ids[next % ids.length];
        next += 1;
        await dataSource.query(
          `UPDATE workflow_enrollments SET updated_at = now()
            WHERE organisation_id = $1 AND id = $2`,
          [organisationId, id],
        );
      }
    }),
  );
  return RAW_UPDATES / ((performance.now() - start) / 1000);
}
