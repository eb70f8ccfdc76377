import { RunEnrollmentUseCase } from '@sealpost/workflow';
import { call, createTenant, startTestApi, type TestApi } from '../testing/test-api';

/** The README's appointment-reminder walkthrough, request for request, on the real api. */
describe('README: an appointment reminder', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(() => api.close());

  it('accepts every request of the walkthrough and sends the reminder', async () => {
    const { token } = await createTenant(api, [
      'contacts:write',
      'templates:manage',
      'workflows:manage',
      'events:write',
      'messages:read',
    ]);
    const sp = async (path: string, body: unknown) => {
      const reply = await call<{ id: string }>(api, 'POST', path, { token, body });
      expect([200, 201, 202]).toContain(reply.status);
      return reply.body;
    };
    const at = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

    await sp('/v1/contact-fields', { key: 'appointment_at', type: 'datetime' });
    await sp('/v1/contacts', {
      email: 'patient@example.test',
      name: 'Pat',
      timeZone: 'America/Chicago',
      fields: { appointment_at: `${at}T15:00:00Z` },
    });
    const template = await sp('/v1/templates', {
      name: 'Reminder',
      subject: 'Your appointment',
      text:
        'Dear {{contact.name}}, see you ' +
        '{{formatDate contact.fields.appointment_at "EEEE, HH:mm"}}.',
      html:
        '<p>Dear {{contact.name}}, please ' +
        '<a href="https://clinic.example/confirm">confirm</a>.</p>',
    });
    const workflow = await sp('/v1/workflows', {
      name: 'Appointment reminder',
      settings: { senderName: 'Example Clinic', senderAddress: 'clinic@example.org' },
      definition: {
        start: 'before',
        triggers: [{ type: 'event', eventType: 'appointment_booked' }],
        steps: [
          {
            id: 'before',
            type: 'wait_time',
            next: 'remind',
            wait: {
              kind: 'relative_to_field',
              field: 'appointment_at',
              direction: 'before',
              duration: 'PT48H',
            },
          },
          { id: 'remind', type: 'send_email', templateId: template.id, next: 'clicked' },
          {
            id: 'clicked',
            type: 'wait_event',
            event: { kind: 'clicked', stepId: 'remind' },
            timeout: 'P1D',
            next: 'end',
            timeoutNext: 'again',
          },
          { id: 'again', type: 'send_email', templateId: template.id, next: 'end' },
          { id: 'end', type: 'end' },
        ],
      },
    });
    const event = await sp('/v1/events', {
      type: 'appointment_booked',
      email: 'patient@example.test',
    });
    // The worker's part, run here by hand.
    const [enrollment] = await api.dataSource.query<{ id: string; organisation_id: string }[]>(
      'SELECT id, organisation_id FROM workflow_enrollments WHERE workflow_id = $1',
      [workflow.id],
    );
    await api.app.get(RunEnrollmentUseCase).execute({
      v: 1,
      organisationId: enrollment.organisation_id,
      enrollmentId: enrollment.id,
      revision: 0,
    });
    const stats = await call<{ steps: { stepId: string; outcomes: object }[] }>(
      api,
      'GET',
      `/v1/workflows/${workflow.id}/stats`,
      { token },
    );
    const funnel = await call(api, 'GET', `/v1/workflows/${workflow.id}/funnel.svg`, { token });

    expect(event).toMatchObject({ enrollments: [{ workflowId: workflow.id }] });
    expect(stats.body.steps.slice(0, 2)).toEqual([
      expect.objectContaining({ stepId: 'before', outcomes: { waited: 1 } }),
      expect.objectContaining({ stepId: 'remind', outcomes: { sent: 1 } }),
    ]);
    expect(funnel.status).toBe(200);
  });
});
