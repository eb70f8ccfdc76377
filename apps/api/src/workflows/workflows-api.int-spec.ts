import { randomBytes } from 'node:crypto';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

interface WorkflowBody {
  id: string;
  version: number;
  status: string;
  definition: { steps: { id: string }[] };
}
interface ErrorBody {
  code: string;
  message: string;
  details?: { path: string; code?: string; stepId?: string | null; message: string }[];
}

const SCOPES = ['workflows:manage', 'templates:manage', 'contacts:write', 'events:write'] as const;

describe('Workflows API (real app, PostgreSQL)', () => {
  let api: TestApi;
  let tenant: Tenant;
  let templateId: string;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, [...SCOPES]);
    const template = await call<{ id: string }>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: { name: 'Reminder', subject: 'Your visit', text: 'Hello {{contact.name}}' },
    });
    templateId = template.body.id;
  });

  afterAll(() => api.close());

  function aDefinition(next = 'end') {
    return {
      start: 'remind',
      triggers: [{ type: 'event', eventType: 'appointment_booked' }],
      steps: [
        { id: 'remind', type: 'send_email', templateId, next },
        { id: 'end', type: 'end' },
      ],
    };
  }

  function create(definition: unknown, who: Tenant = tenant) {
    return call<WorkflowBody & ErrorBody>(api, 'POST', '/v1/workflows', {
      token: who.token,
      body: {
        name: `Reminder ${randomBytes(3).toString('hex')}`,
        settings: { senderName: 'North Clinic', senderAddress: 'clinic@example.org' },
        definition,
      },
    });
  }

  async function aContact(): Promise<{ id: string; email: string }> {
    const email = `patient-${randomBytes(4).toString('hex')}@example.test`;
    const response = await call<{ id: string }>(api, 'POST', '/v1/contacts', {
      token: tenant.token,
      body: { email, name: 'Pat' },
    });
    return { id: response.body.id, email };
  }

  it('creates a workflow as active version 1 and shows it', async () => {
    const created = await create(aDefinition());
    const shown = await call<WorkflowBody>(api, 'GET', `/v1/workflows/${created.body.id}`, {
      token: tenant.token,
    });

    expect(created.status).toBe(201);
    expect(shown.body).toMatchObject({ id: created.body.id, version: 1, status: 'active' });
  });

  it('answers 422 listing every definition problem with its code and step id', async () => {
    const response = await create({
      start: 'remind',
      steps: [
        { id: 'remind', type: 'send_email', templateId, next: 'nowhere' },
        {
          id: 'pause',
          type: 'wait_time',
          wait: { kind: 'duration', duration: '2 days' },
          next: 'x',
        },
        { id: 'sms', type: 'send_sms' },
      ],
    });

    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.message).toMatch(/problems/);
    expect(response.body.details?.map((d) => [d.code, d.stepId])).toEqual([
      ['invalid_duration', 'pause'],
      ['unknown_step_type', 'sms'],
      ['unknown_target', 'remind'],
      ['unknown_target', 'pause'],
    ]);
  });

  it('publishes a new version on edit and keeps the old one readable', async () => {
    const created = await create(aDefinition());
    const edited = await call<WorkflowBody>(api, 'PATCH', `/v1/workflows/${created.body.id}`, {
      token: tenant.token,
      body: {
        definition: {
          ...aDefinition('wait'),
          steps: [
            ...aDefinition('wait').steps,
            {
              id: 'wait',
              type: 'wait_time',
              wait: { kind: 'duration', duration: 'P1D' },
              next: 'end',
            },
          ],
        },
        settings: { priority: 5 },
      },
    });
    const first = await call<{ steps: unknown[] }>(
      api,
      'GET',
      `/v1/workflows/${created.body.id}/versions/1`,
      { token: tenant.token },
    );

    expect(edited.body.version).toBe(2);
    expect(edited.body.definition.steps.map((step) => step.id)).toEqual(['remind', 'end', 'wait']);
    expect(first.body.steps).toHaveLength(2);
  });

  it('refuses edits of an archived workflow (409 invalid_state)', async () => {
    const created = await create(aDefinition());
    await call(api, 'POST', `/v1/workflows/${created.body.id}/archive`, { token: tenant.token });

    const edit = await call<ErrorBody>(api, 'PATCH', `/v1/workflows/${created.body.id}`, {
      token: tenant.token,
      body: { name: 'Renamed' },
    });

    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('invalid_state');
  });

  it('enrolls by event and by ids, and shows counts and a funnel without PHI', async () => {
    const created = await create(aDefinition());
    const [byEvent, byId] = [await aContact(), await aContact()];

    const event = await call<{ enrollments: { workflowId: string }[] }>(api, 'POST', '/v1/events', {
      token: tenant.token,
      body: { type: 'appointment_booked', email: byEvent.email, data: { at: '2026-07-01' } },
    });
    const enrolled = await call(api, 'POST', `/v1/workflows/${created.body.id}/enrollments`, {
      token: tenant.token,
      body: { contactIds: [byId.id, byEvent.id] },
    });
    const stats = await call<{ steps: { stepId: string; active: number }[] }>(
      api,
      'GET',
      `/v1/workflows/${created.body.id}/stats`,
      { token: tenant.token },
    );
    const funnel = await call(api, 'GET', `/v1/workflows/${created.body.id}/funnel.svg`, {
      token: tenant.token,
    });

    expect(event.status).toBe(202);
    expect(event.body.enrollments.map((e) => e.workflowId)).toContain(created.body.id);
    expect(enrolled.body).toEqual({ enrolled: 1, skipped: 1 });
    expect(stats.body.steps[0]).toMatchObject({ stepId: 'remind', active: 2 });
    expect(funnel.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(funnel.text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(funnel.text).toContain('remind (send_email)');
    expect(funnel.text).not.toContain(byEvent.email);
    expect(funnel.text).not.toMatch(/<script|href=/);
  });

  it('answers 404 for an unknown contact and 422 when the event names none', async () => {
    const unknown = await call<ErrorBody>(api, 'POST', '/v1/events', {
      token: tenant.token,
      body: { type: 'form_submitted', email: 'nobody@example.test' },
    });
    const neither = await call<ErrorBody>(api, 'POST', '/v1/events', {
      token: tenant.token,
      body: { type: 'form_submitted' },
    });

    expect(unknown.status).toBe(404);
    expect(unknown.body.message).not.toContain('nobody@example.test');
    expect(neither.status).toBe(422);
  });

  it("answers 404 for another organisation's workflow on every route", async () => {
    const created = await create(aDefinition());
    const stranger = await createTenant(api, [...SCOPES]);
    const id = created.body.id;

    const statuses = await Promise.all(
      [
        ['GET', `/v1/workflows/${id}`],
        ['PATCH', `/v1/workflows/${id}`],
        ['GET', `/v1/workflows/${id}/versions/1`],
        ['POST', `/v1/workflows/${id}/pause`],
        ['POST', `/v1/workflows/${id}/enrollments`],
        ['GET', `/v1/workflows/${id}/stats`],
        ['GET', `/v1/workflows/${id}/funnel.svg`],
      ].map(async ([method, path]) => {
        const body =
          method === 'GET' ? undefined : path.endsWith('enrollments') ? { contactIds: [] } : {};
        return (await call(api, method, path, { token: stranger.token, body })).status;
      }),
    );

    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404]);
  });

  it('needs the workflows:manage scope (403)', async () => {
    const reader = await createTenant(api, ['messages:read']);

    const response = await call<ErrorBody>(api, 'GET', '/v1/workflows', { token: reader.token });

    expect(response.status).toBe(403);
  });
});
