import { randomBytes, randomUUID } from 'node:crypto';
import { BullModule } from '@nestjs/bull';
import { Test, type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@sealpost/audit';
import {
  Clock,
  CoreModule,
  EnvelopeCipher,
  loadConfig,
  OrganisationsService,
  type SealpostConfig,
} from '@sealpost/core';
import {
  CapturingLogger,
  createTestDatabase,
  MovableClock,
  type TestDatabase,
} from '@sealpost/core/testing';
import { sealContent } from '@sealpost/messaging';
import { DataSource } from 'typeorm';
import { FhirAdminModule, FhirSyncModule } from '../fhir.module';

export interface FhirTestModule {
  moduleRef: TestingModule;
  dataSource: DataSource;
  config: SealpostConfig;
  clock: MovableClock;
  logs: CapturingLogger;
  organisationId: string;
  close(): Promise<void>;
}

/** The connector's admin and sync modules on a fresh database, with a movable clock. */
export async function startFhirTestModule(): Promise<FhirTestModule> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
    SEALPOST_QUEUE_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEALPOST_LOG_LEVEL: 'silent',
  });
  const clock = new MovableClock();
  const logs = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot(config, []),
      AuditModule,
      BullModule.forRoot({ url: config.redis.url, prefix: config.redis.queuePrefix }),
      FhirAdminModule,
      FhirSyncModule,
    ],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  moduleRef.useLogger(logs);
  const organisation = await moduleRef.get(OrganisationsService).create('fhir-org');
  return {
    moduleRef,
    dataSource: moduleRef.get(DataSource),
    config,
    clock,
    logs,
    organisationId: organisation.id,
    close: async () => {
      await moduleRef.close();
      await database.drop();
    },
  };
}

export interface PatientMessage {
  messageId: string;
  recipientId: string;
  address: string;
  subject: string;
}

/**
 * A stored message to one recipient, its content sealed as the API seals it. `patient`: the
 * contact with the recipient's address is linked to that Patient; null: no contact at all.
 */
export async function aPatientMessage(
  test: FhirTestModule,
  options: { patient?: string | null; metadata?: Record<string, unknown> } = {},
): Promise<PatientMessage> {
  const { dataSource, organisationId } = test;
  const messageId = randomUUID();
  const recipientId = randomUUID();
  const address = `pat.${randomBytes(4).toString('hex')}@patients.example`;
  const subject = `Results for ${address}`;
  const sealed = sealContent(test.moduleRef.get(EnvelopeCipher), organisationId, messageId, {
    subject,
    text: 'Your results are ready.',
    headers: {},
    attachments: [],
    to: [address],
    cc: [],
  });
  await dataSource.query(
    `INSERT INTO messages (id, organisation_id, from_address, metadata, content_ciphertext,
       content_wrapped_key, content_key_id, size_bytes)
     VALUES ($1, $2, 'clinic@example.org', $3, $4, $5, $6, 1)`,
    [
      messageId,
      organisationId,
      options.metadata ?? {},
      sealed.ciphertext,
      sealed.wrappedKey,
      sealed.keyId,
    ],
  );
  await dataSource.query(
    `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address, domain,
       status) VALUES ($1, $2, $3, 'to', $4, 'patients.example', 'queued')`,
    [recipientId, organisationId, messageId, address],
  );
  const patient = options.patient === undefined ? `Patient/${randomUUID()}` : options.patient;
  if (patient) {
    await dataSource.query(
      `INSERT INTO contacts (id, organisation_id, email, email_normalised, ehr_patient_ref)
       VALUES ($1, $2, $3, $3, $4)`,
      [randomUUID(), organisationId, address, patient],
    );
  }
  return { messageId, recipientId, address, subject };
}

/** Appends an event as the delivery pipeline does; the fan-out trigger marks the sync due. */
export async function anEvent(
  test: FhirTestModule,
  message: PatientMessage,
  type: string,
): Promise<void> {
  await test.dataSource.query(
    `INSERT INTO message_events (organisation_id, message_id, recipient_id, type)
     VALUES ($1, $2, $3, $4)`,
    [test.organisationId, message.messageId, message.recipientId, type],
  );
}

export interface SyncRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  fhir_status: string | null;
}

export async function syncOf(
  test: FhirTestModule,
  connectionId: string,
  message: PatientMessage,
): Promise<SyncRow | undefined> {
  const [row] = await test.dataSource.query<SyncRow[]>(
    `SELECT id::text AS id, status, attempts, last_error, next_attempt_at, fhir_status
       FROM fhir_syncs WHERE connection_id = $1 AND recipient_id = $2`,
    [connectionId, message.recipientId],
  );
  return row;
}

export { CapturingLogger, MovableClock };
