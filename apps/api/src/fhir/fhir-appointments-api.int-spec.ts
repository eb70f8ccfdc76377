import { randomBytes, randomUUID } from 'node:crypto';
import { type ErrorBody } from '@sealpost/core';
import {
  type AppointmentTriggerView,
  type AppointmentView,
  type FhirConnectionView,
} from '@sealpost/fhir';
import { type LoopbackFhirServer, startLoopbackFhirServer } from '@sealpost/test-peers/fhir';
import { appointmentReminderDefinition } from '@sealpost/fhir/testing';
import Client from 'fhir-kit-client';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const DAY = 24 * 60 * 60 * 1000;
const SCOPES = ['fhir:manage', 'contacts:write', 'templates:manage', 'workflows:manage'] as const;

interface Setup {
  tenant: Tenant;
  connectionId: string;
  workflowId: string;
  secret: string;
}

/**
 * Appointment triggers on the real api: settings (scope, audit, tenancy) and the public
 * Subscription notification endpoint (R4 backport bundles), against a loopback FHIR server.
 */
describe('FHIR appointment triggers and notifications API', () => {
  let api: TestApi;
  let ehr: LoopbackFhirServer;
  let ehrClient: Client;
  let a: Setup;
  let b: Setup;
  const ehrToken = `ehr-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    ehr = await startLoopbackFhirServer({ acceptsToken: (presented) => presented === ehrToken });
    ehrClient = new Client({
      baseUrl: ehr.baseUrl,
      customHeaders: { authorization: `Bearer ${ehrToken}` },
    });
    api = await startTestApi();
    a = await setUp();
    b = await setUp();
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await ehr?.close();
  });

  async function post<T>(tenant: Tenant, path: string, body: unknown): Promise<T> {
    const reply = await call<T>(api, 'POST', path, { token: tenant.token, body });
    if (reply.status >= 300) {
      throw new Error(`${path} answered ${reply.status}: ${reply.text}`);
    }
    return reply.body;
  }

  async function setUp(): Promise<Setup> {
    const tenant = await createTenant(api, [...SCOPES]);
    const connection = await post<FhirConnectionView>(tenant, '/v1/fhir/connections', {
      name: 'EHR',
      baseUrl: ehr.baseUrl,
      authMode: 'bearer',
      bearerToken: ehrToken,
    });
    const template = await post<{ id: string }>(tenant, '/v1/templates', {
      name: `reminder-${randomBytes(3).toString('hex')}`,
      subject: 'Your appointment',
      text: 'See you {{formatDate trigger.appointment.start "EEEE HH:mm"}}.',
    });
    const workflow = await post<{ id: string }>(tenant, '/v1/workflows', {
      name: 'EHR reminder',
      settings: { senderName: 'Clinic', senderAddress: 'clinic@example.org' },
      definition: appointmentReminderDefinition(template.id),
    });
    const trigger = await call<AppointmentTriggerView>(
      api,
      'PUT',
      `/v1/fhir/connections/${connection.id}/appointment-trigger`,
      { token: tenant.token, body: { workflowId: workflow.id, polling: false } },
    );
    expect(trigger.status).toBe(200);
    return {
      tenant,
      connectionId: connection.id,
      workflowId: workflow.id,
      secret: trigger.body.notificationSecret!,
    };
  }

  async function aLinkedPatient(setup: Setup): Promise<{ patient: string; contactId: string }> {
    const patient = `p-${randomBytes(4).toString('hex')}`;
    const contact = await post<{ id: string }>(setup.tenant, '/v1/contacts', {
      email: `${patient}@patients.example`,
      name: 'Pat Doe',
      ehrPatientRef: `Patient/${patient}`,
    });
    return { patient, contactId: contact.id };
  }

  const notify = (setup: Setup, body: unknown, secret: string | null = setup.secret) =>
    call<{ type: string; outcomes: Record<string, number> }>(
      api,
      'POST',
      `/fhir/notifications/${setup.connectionId}`,
      {
        headers: {
          'content-type': 'application/fhir+json',
          ...(secret === null ? {} : { authorization: `Bearer ${secret}` }),
        },
        rawBody: JSON.stringify(body),
      },
    );

  async function enrollmentsOf(setup: Setup, contactId: string) {
    return api.dataSource.query<{ state: string; journey_key: string; trigger: Buffer }[]>(
      `SELECT state, journey_key, trigger_ciphertext AS trigger FROM workflow_enrollments
        WHERE organisation_id = $1 AND workflow_id = $2 AND contact_id = $3`,
      [setup.tenant.organisationId, setup.workflowId, contactId],
    );
  }

  it('shows the notification secret once, keeps it sealed, and audits the change', async () => {
    const view = await call<FhirConnectionView & { appointmentTrigger: AppointmentTriggerView }>(
      api,
      'GET',
      `/v1/fhir/connections/${a.connectionId}`,
      { token: a.tenant.token },
    );
    const [row] = await api.dataSource.query<{ secret_ciphertext: Buffer }[]>(
      `SELECT secret_ciphertext FROM fhir_appointment_triggers WHERE connection_id = $1`,
      [a.connectionId],
    );
    const audit = await api.dataSource.query<{ action: string }[]>(
      `SELECT action FROM audit_records WHERE organisation_id = $1`,
      [a.tenant.organisationId],
    );

    expect(a.secret).toMatch(/^spn_/);
    expect(view.body.appointmentTrigger).toMatchObject({
      workflowId: a.workflowId,
      search: 'status=booked%2Ccancelled',
      polling: false,
      notificationPath: `/fhir/notifications/${a.connectionId}`,
      status: { cursor: null, lastError: null },
    });
    expect(view.text).not.toContain(a.secret);
    expect(row.secret_ciphertext.toString('latin1')).not.toContain(a.secret);
    expect(audit.map((record) => record.action)).toContain('fhir_appointment_trigger.created');
  });

  it('refuses bad trigger settings with a code and a sentence', async () => {
    const path = `/v1/fhir/connections/${a.connectionId}/appointment-trigger`;
    const reserved = await call<ErrorBody>(api, 'PUT', path, {
      token: a.tenant.token,
      body: { workflowId: a.workflowId, search: 'status=booked&_count=5' },
    });
    const noWorkflow = await call<ErrorBody>(api, 'PUT', path, {
      token: a.tenant.token,
      body: { workflowId: randomUUID() },
    });
    const tooOften = await call<ErrorBody>(api, 'PUT', path, {
      token: a.tenant.token,
      body: { workflowId: a.workflowId, pollIntervalSeconds: 5 },
    });

    expect([reserved.status, noWorkflow.status, tooOften.status]).toEqual([422, 422, 422]);
    expect(reserved.body).toMatchObject({ code: 'invalid_value' });
    expect(reserved.body.message).toContain('_count');
    expect(noWorkflow.body.message).toContain('workflowId');
    expect(tooOften.body.message).toContain('pollIntervalSeconds');
  });

  it('answers handshakes and heartbeats', async () => {
    const handshake = await notify(a, notification('handshake'));
    const heartbeat = await notify(a, notification('heartbeat'));

    expect(handshake.status).toBe(200);
    expect(handshake.body.type).toBe('handshake');
    expect(heartbeat.status).toBe(200);
  });

  it('enrolls the contact of an appointment sent in full, once however often sent', async () => {
    const { patient, contactId } = await aLinkedPatient(a);
    const start = new Date(Date.now() + 3 * DAY).toISOString();
    const resource = {
      ...appointment(patient, start),
      id: `appt-${randomBytes(4).toString('hex')}`,
    };
    const body = notification('event-notification', [resource]);

    const first = await notify(a, body);
    const again = await notify(a, body);

    expect(first.status).toBe(200);
    expect(first.body.outcomes).toEqual({ enrolled: 1 });
    expect(again.body.outcomes).toEqual({ unchanged: 1 });
    const enrollments = await enrollmentsOf(a, contactId);
    expect(enrollments).toEqual([
      expect.objectContaining({
        journey_key: `fhir:${a.connectionId}:Appointment/${resource.id}:0`,
      }),
    ]);
    // The appointment time is trigger data: sealed at rest.
    expect(enrollments[0].trigger.toString('latin1')).not.toContain(start.slice(0, 16));
  });

  it('reads an appointment named only by id from the EHR, then enrolls the same way', async () => {
    const { patient, contactId } = await aLinkedPatient(a);
    const created = (await ehrClient.create({
      resourceType: 'Appointment',
      body: appointment(patient, new Date(Date.now() + 3 * DAY).toISOString()) as never,
    })) as unknown as { id: string };
    const requestsBefore = ehr.requests.length;

    const reply = await notify(
      a,
      notification('event-notification', [], `${ehr.baseUrl}/Appointment/${created.id}`),
    );

    expect(reply.status).toBe(200);
    expect(reply.body.outcomes).toEqual({ enrolled: 1 });
    expect(ehr.requests.slice(requestsBefore)).toEqual([`GET /Appointment/${created.id}`]);
    expect(await enrollmentsOf(a, contactId)).toHaveLength(1);
  });

  it('ends the journey of an appointment notified as cancelled, shown in its history', async () => {
    const { patient, contactId } = await aLinkedPatient(a);
    const id = `appt-${randomBytes(4).toString('hex')}`;
    const booked = { ...appointment(patient, new Date(Date.now() + 3 * DAY).toISOString()), id };
    await notify(a, notification('event-notification', [booked]));

    const cancelled = await notify(
      a,
      notification('event-notification', [{ ...booked, status: 'cancelled' }]),
    );
    const history = await call<{ data: AppointmentView[] }>(
      api,
      'GET',
      `/v1/fhir/connections/${a.connectionId}/appointments?limit=100`,
      { token: a.tenant.token },
    );
    const ofB = await call(api, 'GET', `/v1/fhir/connections/${a.connectionId}/appointments`, {
      token: b.tenant.token,
    });

    expect(cancelled.body.outcomes).toEqual({ cancelled: 1 });
    expect(history.body.data.find((row) => row.reference === `Appointment/${id}`)).toMatchObject({
      status: 'cancelled',
      journeys: [
        {
          contactId,
          workflowId: a.workflowId,
          state: 'left',
          endedReason: 'appointment_cancelled',
        },
      ],
    });
    expect(ofB.status).toBe(404);
  });

  it('refuses a wrong or missing secret with 401 and enrolls nothing', async () => {
    const { patient, contactId } = await aLinkedPatient(a);
    const body = notification('event-notification', [
      { ...appointment(patient, new Date(Date.now() + 3 * DAY).toISOString()), id: 'x-1' },
    ]);

    const wrong = await notify(a, body, `spn_${randomBytes(32).toString('base64url')}`);
    const missing = await notify(a, body, null);
    const otherOrganisations = await notify(a, body, b.secret);

    expect([wrong.status, missing.status, otherOrganisations.status]).toEqual([401, 401, 401]);
    expect((wrong.body as unknown as ErrorBody).code).toBe('unauthenticated');
    expect(await enrollmentsOf(a, contactId)).toHaveLength(0);
  });

  it('does not let another organisation reach a connection’s trigger', async () => {
    const path = `/v1/fhir/connections/${a.connectionId}/appointment-trigger`;

    const answers = await Promise.all([
      call(api, 'GET', path, { token: b.tenant.token }),
      call(api, 'PUT', path, { token: b.tenant.token, body: { workflowId: b.workflowId } }),
      call(api, 'DELETE', path, { token: b.tenant.token }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    const still = await call<AppointmentTriggerView>(api, 'GET', path, { token: a.tenant.token });
    expect(still.body.workflowId).toBe(a.workflowId);
  });

  it('answers 422 to a body that is no notification bundle, naming what is wrong', async () => {
    const reply = await notify(a, { resourceType: 'Appointment', status: 'booked' });

    expect(reply.status).toBe(422);
    expect(reply.body as unknown as ErrorBody).toMatchObject({ code: 'invalid_value' });
    expect((reply.body as unknown as ErrorBody).message).toContain('history');
  });

  it('needs the fhir:manage scope for trigger settings', async () => {
    const reader = await createTenant(api, ['messages:read']);

    const reply = await call<ErrorBody>(
      api,
      'GET',
      `/v1/fhir/connections/${a.connectionId}/appointment-trigger`,
      { token: reader.token },
    );

    expect(reply.status).toBe(403);
  });
});

function appointment(patient: string, start: string): Record<string, unknown> {
  return {
    resourceType: 'Appointment',
    status: 'booked',
    start,
    end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
    participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }],
  };
}

/**
 * A notification as the R4 backport IG shapes it: a history Bundle, the SubscriptionStatus
 * Parameters first, then the resources (full-resource) or entries with only a fullUrl
 * (id-only, with the reference also as the event's focus).
 */
function notification(
  type: string,
  resources: Record<string, unknown>[] = [],
  idOnly?: string,
): Record<string, unknown> {
  const event = {
    name: 'notification-event',
    part: [
      { name: 'event-number', valueString: '1' },
      { name: 'timestamp', valueInstant: new Date().toISOString() },
      ...(idOnly ? [{ name: 'focus', valueReference: { reference: idOnly } }] : []),
    ],
  };
  return {
    resourceType: 'Bundle',
    type: 'history',
    timestamp: new Date().toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:${randomUUID()}`,
        request: { method: 'GET', url: 'https://ehr.example/fhir/Subscription/appts/$status' },
        response: { status: '200' },
        resource: {
          resourceType: 'Parameters',
          parameter: [
            {
              name: 'subscription',
              valueReference: { reference: 'https://ehr.example/fhir/Subscription/appts' },
            },
            { name: 'topic', valueCanonical: 'http://example.org/topic/appointment-booked' },
            { name: 'status', valueCode: 'active' },
            { name: 'type', valueCode: type },
            { name: 'events-since-subscription-start', valueString: '1' },
            ...(type === 'event-notification' ? [event] : []),
          ],
        },
      },
      ...resources.map((resource) => ({
        fullUrl: `https://ehr.example/fhir/Appointment/${String(resource.id)}`,
        resource,
        request: { method: 'PUT', url: `Appointment/${String(resource.id)}` },
        response: { status: '200' },
      })),
      ...(idOnly
        ? [
            {
              fullUrl: idOnly,
              request: { method: 'POST', url: 'Appointment' },
              response: { status: '201' },
            },
          ]
        : []),
    ],
  };
}
