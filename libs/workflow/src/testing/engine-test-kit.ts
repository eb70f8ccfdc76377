import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import { Test, type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import {
  type AuthContext,
  CoreModule,
  loadConfig,
  OrganisationsService,
  type SealpostConfig,
} from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { MESSAGING_ENTITIES } from '@sealpost/messaging';
import Queue from 'bull';
import { DataSource } from 'typeorm';
import { ContactFieldsService } from '../contacts/contact-fields.service';
import { ContactsService } from '../contacts/contacts.service';
import { WORKFLOW_QUEUE } from '../engine/engine.constants';
import { RunEnrollmentUseCase } from '../engine/run-enrollment.use-case';
import { TriggerSweeper } from '../engine/trigger-sweeper';
import { type QueuedWorkflowJob } from '../engine/workflow-job';
import { WorkflowScheduler } from '../engine/workflow-scheduler.service';
import { Clock, ManualClock } from '../scheduling/clock';
import { TemplatesService } from '../templates/templates.service';
import { type WorkflowSettings } from '../workflows/workflow-views';
import { WorkflowsModule } from '../workflows/workflows.module';
import { WorkflowsService } from '../workflows/workflows.service';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

/**
 * The engine on a fresh PostgreSQL database and a real Bull queue in Redis, with a clock the
 * test moves. The scheduler's loop is not started: settle() drives it pass by pass.
 */
export class EngineHarness {
  readonly clock = new ManualClock(new Date('2026-06-01T08:00:00Z'));
  moduleRef!: TestingModule;
  dataSource!: DataSource;
  queue!: Queue.Queue<QueuedWorkflowJob>;
  private database!: TestDatabase;
  private config!: SealpostConfig;

  async start(): Promise<void> {
    this.database = await createTestDatabase();
    this.config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: this.database.url,
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
      SEALPOST_LOG_LEVEL: 'silent',
    });
    this.queue = new Queue<QueuedWorkflowJob>(WORKFLOW_QUEUE, this.config.redis.url, {
      prefix: this.config.redis.queuePrefix,
    });
    this.moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(this.config, MESSAGING_ENTITIES), AuditModule, WorkflowsModule],
      providers: [
        WorkflowScheduler,
        { provide: getQueueToken(WORKFLOW_QUEUE), useValue: this.queue },
      ],
    })
      .overrideProvider(Clock)
      .useValue(this.clock)
      .compile();
    this.dataSource = this.moduleRef.get(DataSource);
  }

  async stop(): Promise<void> {
    await this.queue?.obliterate({ force: true });
    await this.queue?.close();
    await this.moduleRef?.close();
    await this.database?.drop();
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.moduleRef.get(type);
  }

  /**
   * Runs the scheduler and the jobs it queued (through Redis) until nothing is due at the
   * clock's time. Returns the number of steps taken.
   */
  async settle(): Promise<number> {
    const scheduler = this.get(WorkflowScheduler);
    const runner = this.get(RunEnrollmentUseCase);
    let steps = 0;
    await this.get(TriggerSweeper).sweepOnce();
    for (let pass = 0; pass < 50; pass += 1) {
      const dispatched = await scheduler.dispatchOnce();
      const jobs = await this.queue.getJobs(['waiting', 'delayed', 'paused']);
      for (const job of jobs) {
        steps += await runner.execute(job.data);
        await job.remove();
      }
      if (dispatched === 0 && jobs.length === 0) {
        return steps;
      }
    }
    throw new Error('the engine did not settle in 50 passes');
  }

  /** Moves the clock on and runs what became due. */
  async advance(milliseconds: number): Promise<number> {
    this.clock.advance(milliseconds);
    return this.settle();
  }

  async aCaller(): Promise<AuthContext> {
    const organisation = await this.get(OrganisationsService).create(`org-${token()}`);
    return {
      organisationId: organisation.id,
      apiKeyId: 'test',
      scopes: ['workflows:manage', 'contacts:write', 'templates:manage'],
    };
  }

  async aContact(caller: AuthContext, overrides: Record<string, unknown> = {}): Promise<string> {
    const contact = await this.get(ContactsService).create(caller.organisationId, {
      email: `patient-${token()}@example.test`,
      name: `Patient ${token()}`,
      timeZone: 'America/Chicago',
      ...overrides,
    });
    return contact.id;
  }

  defineField(caller: AuthContext, key: string, type: string): Promise<unknown> {
    return this.get(ContactFieldsService).define(caller.organisationId, key, type);
  }

  async aTemplate(caller: AuthContext, text = 'Hello {{contact.name}}'): Promise<string> {
    const template = await this.get(TemplatesService).create(caller, {
      name: `template-${token()}`,
      subject: `Subject ${token()}`,
      text,
    });
    return template.id;
  }

  async aWorkflow(caller: AuthContext, definition: unknown): Promise<string> {
    const workflow = await this.get(WorkflowsService).create(caller, {
      name: `workflow-${token()}`,
      settings: aSettings(),
      definition,
    });
    return workflow.id;
  }

  /** The workflow messages a contact was sent, oldest first, with their metadata. */
  messagesTo(
    caller: AuthContext,
    contactId: string,
  ): Promise<{ id: string; recipient_id: string; metadata: Record<string, string> }[]> {
    return this.dataSource.query(
      `SELECT m.id, r.id AS recipient_id, m.metadata FROM messages m
         JOIN message_recipients r ON r.message_id = m.id
        WHERE m.organisation_id = $1 AND m.metadata ->> 'contactId' = $2
        ORDER BY m.created_at, m.id`,
      [caller.organisationId, contactId],
    );
  }

  /** What the tracking endpoints write for an open or a click, at the clock's time. */
  async engagement(
    caller: AuthContext,
    message: { id: string; recipient_id: string },
    type: 'opened' | 'clicked',
    urlHash?: string,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data,
         created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        caller.organisationId,
        message.id,
        message.recipient_id,
        type,
        urlHash ? { urlHash } : {},
        this.clock.now(),
      ],
    );
  }

  async enrollment(
    caller: AuthContext,
    workflowId: string,
    contactId: string,
  ): Promise<{
    state: string;
    current_step: string;
    ended_reason: string | null;
    version: number;
  }> {
    const [row] = await this.dataSource.query(
      `SELECT state, current_step, ended_reason, version FROM workflow_enrollments
        WHERE organisation_id = $1 AND workflow_id = $2 AND contact_id = $3`,
      [caller.organisationId, workflowId, contactId],
    );
    return row;
  }

  /** The step runs of a contact in a workflow: [step, outcome] in order. */
  async runs(caller: AuthContext, workflowId: string, contactId: string): Promise<string[][]> {
    const rows = await this.dataSource.query<{ step_id: string; outcome: string }[]>(
      `SELECT r.step_id, r.outcome FROM workflow_step_runs r
         JOIN workflow_enrollments e ON e.id = r.enrollment_id
        WHERE r.organisation_id = $1 AND r.workflow_id = $2 AND e.contact_id = $3
        ORDER BY r.created_at, r.step_id`,
      [caller.organisationId, workflowId, contactId],
    );
    return rows.map((row) => [row.step_id, row.outcome]);
  }
}

export function aSettings(overrides: Partial<WorkflowSettings> = {}): WorkflowSettings {
  return {
    senderName: 'North Clinic',
    senderAddress: `clinic-${token()}@example.org`,
    replyTo: null,
    priority: 0,
    ...overrides,
  };
}

export function token(): string {
  return randomBytes(5).toString('hex');
}
