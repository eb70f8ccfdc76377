import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestingModule } from '@nestjs/testing';
import { type AuthContext, OrganisationsService } from '@sealpost/core';
import { CapturingLogger } from '@sealpost/core/testing';
import {
  AppointmentPoller,
  AppointmentTriggersService,
  FhirConnectionsService,
  ReceiveNotificationUseCase,
} from '@sealpost/fhir';
import { createTestCa, issueCertificate, SmtpSink } from '@sealpost/test-peers';
import { type LoopbackFhirServer, startLoopbackFhirServer } from '@sealpost/test-peers/fhir';
import {
  Clock,
  ContactsService,
  ManualClock,
  TemplatesService,
  WorkflowsService,
} from '@sealpost/workflow';
import { appointmentReminderDefinition } from '@sealpost/fhir/testing';
import Client from 'fhir-kit-client';
import { DataSource } from 'typeorm';
import { startTestWorker, type TestWorker } from '../testing/test-worker';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const DOMAIN = 'appointments.test';

/**
 * EHR appointments starting reminder journeys, through the whole worker: the loopback FHIR
 * server (Medplum) over HTTP, the poller, the workflow engine on a moved clock, delivery over
 * verified TLS into a loopback SMTP sink.
 */
describe('FHIR appointment journeys (worker, loopback FHIR server and SMTP sink)', () => {
  const clock = new ManualClock(new Date());
  const logs = new CapturingLogger();
  const phi: string[] = [];
  const token = randomBytes(24).toString('base64url');
  let started: TestWorker | undefined;
  let worker: TestingModule;
  let dataSource: DataSource;
  let ehr: LoopbackFhirServer;
  let ehrClient: Client;
  let sink: SmtpSink;
  let caller: AuthContext;
  let connectionId: string;
  let workflowId: string;
  let notificationSecret: string;

  beforeAll(async () => {
    const ca = createTestCa();
    const caFile = join(tmpdir(), `sealpost-fhir-appointments-ca-${process.pid}.pem`);
    writeFileSync(caFile, ca.certPem);
    sink = await SmtpSink.start({
      tls: issueCertificate(ca, {
        commonName: 'localhost',
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
      }),
    });
    ehr = await startLoopbackFhirServer({ acceptsToken: (presented) => presented === token });
    ehrClient = new Client({
      baseUrl: ehr.baseUrl,
      customHeaders: { authorization: `Bearer ${token}` },
    });
    started = await startTestWorker(
      {
        SEALPOST_TLS_CA_FILE: caFile,
        SEALPOST_TRANSPORT_MAP: `${DOMAIN}=127.0.0.1:${sink.port}`,
      },
      (builder) => builder.overrideProvider(Clock).useValue(clock),
    );
    worker = started.worker;
    worker.useLogger(logs);
    dataSource = worker.get(DataSource);
    const organisationId = (await worker.get(OrganisationsService).create('fhir-appointments')).id;
    caller = { organisationId, apiKeyId: 'test', scopes: [] };
    const system = { type: 'system', id: 'test' } as const;
    connectionId = (
      await worker
        .get(FhirConnectionsService, { strict: false })
        .create(
          organisationId,
          { name: 'EHR', baseUrl: ehr.baseUrl, authMode: 'bearer', bearerToken: token },
          system,
        )
    ).id;
    const template = await worker.get(TemplatesService, { strict: false }).create(caller, {
      name: 'Appointment reminder',
      subject: 'Your appointment is tomorrow',
      text: 'Dear {{contact.name}}, see you {{formatDate trigger.appointment.start "HH:mm"}}.',
    });
    workflowId = (
      await worker.get(WorkflowsService, { strict: false }).create(caller, {
        name: 'EHR reminder',
        settings: {
          senderName: 'North Clinic',
          senderAddress: 'clinic@example.org',
          replyTo: null,
          priority: 0,
        },
        definition: appointmentReminderDefinition(template.id),
      })
    ).id;
    notificationSecret = (
      await worker
        .get(AppointmentTriggersService, { strict: false })
        .configure(organisationId, connectionId, { workflowId }, system)
    ).notificationSecret!;
  }, 60_000);

  afterAll(async () => {
    await started?.close();
    await ehr?.close();
    await sink?.close();
  });

  async function aLinkedContact(): Promise<{ id: string; email: string; patient: string }> {
    const email = `patient.${randomBytes(4).toString('hex')}@${DOMAIN}`;
    const name = `Pat ${randomBytes(3).toString('hex')}`;
    const patient = `p-${randomBytes(4).toString('hex')}`;
    phi.push(email, name);
    const contact = await worker
      .get(ContactsService, { strict: false })
      .create(caller.organisationId, {
        email,
        name,
        timeZone: 'America/Chicago',
        ehrPatientRef: `Patient/${patient}`,
      });
    return { id: contact.id, email, patient };
  }

  /** An Appointment written to the EHR over HTTP; its start goes on the PHI list. */
  async function anAppointment(patient: string, start: Date): Promise<string> {
    phi.push(start.toISOString().slice(0, 16));
    const created = (await ehrClient.create({
      resourceType: 'Appointment',
      body: appointment(patient, start, 'booked') as never,
    })) as unknown as { id: string };
    return created.id;
  }

  async function changeAppointment(
    id: string,
    patient: string,
    start: Date,
    status: string,
  ): Promise<void> {
    phi.push(start.toISOString().slice(0, 16));
    await ehrClient.update({
      resourceType: 'Appointment',
      id,
      body: { ...appointment(patient, start, status), id } as never,
    });
  }

  /** Runs a poll now, whether this call or the worker's own loop takes it. */
  async function poll(): Promise<void> {
    // An UPDATE answers [rows, count] through TypeORM's pg driver.
    const [[{ before }]] = await dataSource.query<[{ before: Date }[], number]>(
      `UPDATE fhir_appointment_triggers SET next_poll_at = now() WHERE connection_id = $1
       RETURNING clock_timestamp() AS before`,
      [connectionId],
    );
    await worker.get(AppointmentPoller, { strict: false }).pollDue();
    await until(async () => {
      const [row] = await dataSource.query<{ last_polled_at: Date | null }[]>(
        `SELECT last_polled_at FROM fhir_appointment_triggers WHERE connection_id = $1`,
        [connectionId],
      );
      return row.last_polled_at !== null && row.last_polled_at >= before;
    });
  }

  async function enrollmentsOf(contactId: string) {
    return dataSource.query<
      { state: string; ended_reason: string | null; due_at: Date | null; journey_key: string }[]
    >(
      `SELECT state, ended_reason, due_at, journey_key FROM workflow_enrollments
        WHERE organisation_id = $1 AND workflow_id = $2 AND contact_id = $3
        ORDER BY created_at`,
      [caller.organisationId, workflowId, contactId],
    );
  }

  /** Moves the clock, then waits until the engine has taken what became due. */
  async function advanceTo(at: Date): Promise<void> {
    clock.set(at);
    await until(async () => {
      const [row] = await dataSource.query<{ due: number }[]>(
        `SELECT count(*)::int AS due FROM workflow_enrollments
          WHERE organisation_id = $1 AND state IN ('active', 'waiting') AND due_at <= $2`,
        [caller.organisationId, at],
      );
      return row.due === 0;
    });
  }

  const mailTo = (email: string) => sink.messages.filter((message) => message.to.includes(email));

  it('enrolls the contact of a new EHR appointment; the reminder arrives 24 h before', async () => {
    const contact = await aLinkedContact();
    const start = new Date(clock.now().getTime() + 3 * DAY);
    const appointmentId = await anAppointment(contact.patient, start);

    await poll();
    await advanceTo(clock.now());

    const [enrollment] = await enrollmentsOf(contact.id);
    expect(enrollment).toMatchObject({
      state: 'waiting',
      journey_key: `fhir:${connectionId}:Appointment/${appointmentId}:0`,
    });
    expect(enrollment.due_at?.toISOString()).toBe(new Date(start.getTime() - DAY).toISOString());

    await advanceTo(new Date(start.getTime() - DAY - HOUR));
    await settleDeliveries();
    expect(mailTo(contact.email)).toHaveLength(0);

    await advanceTo(new Date(start.getTime() - DAY + 60_000));
    await until(() => Promise.resolve(mailTo(contact.email).length > 0), 20_000);
    const [mail] = mailTo(contact.email);
    expect(mail.secure).toBe(true);
    expect(mail.raw.toString()).toContain('Your appointment is tomorrow');
    const [message] = await dataSource.query<{ metadata: Record<string, string> }[]>(
      `SELECT metadata FROM messages WHERE organisation_id = $1 AND metadata ->> 'contactId' = $2`,
      [caller.organisationId, contact.id],
    );
    expect(message.metadata.fhirBasedOn).toBe(`Appointment/${appointmentId}`);
  }, 60_000);

  it('enrolls once when the same appointment version is read twice', async () => {
    const contact = await aLinkedContact();
    await anAppointment(contact.patient, new Date(clock.now().getTime() + 3 * DAY));

    await poll();
    // The cursor asks again from the last instant read, so the same version comes back.
    await poll();

    expect(await enrollmentsOf(contact.id)).toHaveLength(1);
  }, 30_000);

  it('enrolls once when a poll and a notification bring the same version', async () => {
    const contact = await aLinkedContact();
    const id = await anAppointment(contact.patient, new Date(clock.now().getTime() + 3 * DAY));
    await poll();
    const resource = await ehrClient.read({ resourceType: 'Appointment', id });

    const receipt = await worker
      .get(ReceiveNotificationUseCase, { strict: false })
      .execute(connectionId, notificationSecret, {
        resourceType: 'Bundle',
        type: 'history',
        entry: [
          {
            resource: {
              resourceType: 'Parameters',
              parameter: [{ name: 'type', valueCode: 'event-notification' }],
            },
          },
          { fullUrl: `${ehr.baseUrl}/Appointment/${id}`, resource },
        ],
      });

    expect(receipt.outcomes).toEqual({ unchanged: 1 });
    expect(await enrollmentsOf(contact.id)).toHaveLength(1);
  }, 30_000);

  it('ends the journey of a cancelled appointment: no reminder is sent', async () => {
    const contact = await aLinkedContact();
    const start = new Date(clock.now().getTime() + 3 * DAY);
    const appointmentId = await anAppointment(contact.patient, start);
    await poll();
    await advanceTo(clock.now());

    await changeAppointment(appointmentId, contact.patient, start, 'cancelled');
    await poll();
    await advanceTo(new Date(start.getTime() - DAY + 60_000));
    await settleDeliveries();

    expect(await enrollmentsOf(contact.id)).toEqual([
      expect.objectContaining({ state: 'left', ended_reason: 'appointment_cancelled' }),
    ]);
    expect(mailTo(contact.email)).toHaveLength(0);
    const sent = await dataSource.query<unknown[]>(
      `SELECT 1 FROM messages WHERE organisation_id = $1 AND metadata ->> 'contactId' = $2`,
      [caller.organisationId, contact.id],
    );
    expect(sent).toHaveLength(0);
  }, 60_000);

  it('moves the reminder of a rescheduled appointment to the new time', async () => {
    const contact = await aLinkedContact();
    const first = new Date(clock.now().getTime() + 3 * DAY);
    const second = new Date(first.getTime() + 2 * DAY);
    const appointmentId = await anAppointment(contact.patient, first);
    await poll();
    await advanceTo(clock.now());

    await changeAppointment(appointmentId, contact.patient, second, 'booked');
    await poll();
    await advanceTo(clock.now());

    const [old, current] = await enrollmentsOf(contact.id);
    expect(old).toMatchObject({ state: 'left', ended_reason: 'appointment_rescheduled' });
    expect(current).toMatchObject({
      state: 'waiting',
      journey_key: `fhir:${connectionId}:Appointment/${appointmentId}:1`,
    });
    expect(current.due_at?.toISOString()).toBe(new Date(second.getTime() - DAY).toISOString());

    await advanceTo(new Date(first.getTime() - DAY + 60_000));
    await settleDeliveries();
    expect(mailTo(contact.email)).toHaveLength(0);

    await advanceTo(new Date(second.getTime() - DAY + 60_000));
    await until(() => Promise.resolve(mailTo(contact.email).length > 0), 20_000);
    expect(mailTo(contact.email)).toHaveLength(1);
  }, 60_000);

  it('enrolls nobody for a patient no contact is linked to', async () => {
    const patient = `p-unlinked-${randomBytes(4).toString('hex')}`;
    const appointmentId = await anAppointment(patient, new Date(clock.now().getTime() + 3 * DAY));

    await poll();

    const keyed = await dataSource.query<unknown[]>(
      `SELECT 1 FROM workflow_enrollments WHERE journey_key LIKE $1`,
      [`%Appointment/${appointmentId}:%`],
    );
    expect(keyed).toHaveLength(0);
  }, 30_000);

  it('shows the cursor and the last poll on the trigger', async () => {
    const view = await worker
      .get(AppointmentTriggersService, { strict: false })
      .view(caller.organisationId, connectionId);

    expect(view.status.cursor).toEqual(expect.any(String));
    expect(view.status.lastPolledAt).toEqual(expect.any(String));
    expect(view.status.lastError).toBeNull();
  });

  it('records a poll that fails as a failure code and keeps the cursor', async () => {
    const triggers = worker.get(AppointmentTriggersService, { strict: false });
    const before = await triggers.view(caller.organisationId, connectionId);
    await ehr.goDown();
    try {
      await poll();
    } finally {
      await ehr.comeBack();
    }

    const after = await triggers.view(caller.organisationId, connectionId);
    expect(after.status.lastError).toBe('unreachable');
    expect(after.status.cursor).toBe(before.status.cursor);
  }, 30_000);

  it('logs no patient data: no names, addresses or appointment times', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    const logged = logs.lines.join('\n');
    for (const value of phi) {
      expect(logged).not.toContain(value);
    }
  });

  /** Lets the worker's loops run a few passes, so a message that should not come had time. */
  async function settleDeliveries(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
});

function appointment(patient: string, start: Date, status: string): Record<string, unknown> {
  return {
    resourceType: 'Appointment',
    status,
    start: start.toISOString(),
    end: new Date(start.getTime() + 30 * 60_000).toISOString(),
    participant: [
      { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
      { actor: { reference: 'Practitioner/dr-1' }, status: 'accepted' },
    ],
  };
}

async function until(check: () => Promise<boolean>, within = 10_000): Promise<void> {
  const deadline = Date.now() + within;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
