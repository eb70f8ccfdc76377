import { randomBytes, randomUUID } from 'node:crypto';
import { TemplateError, TemplateRenderService } from '@sealpost/workflow';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const unique = () => randomBytes(4).toString('hex');

describe('templates API (real PostgreSQL)', () => {
  let api: TestApi;
  let tenant: Tenant;

  const declareField = (organisationId: string, key: string, type: string) =>
    api.dataSource.query(
      'INSERT INTO contact_fields (organisation_id, key, type) VALUES ($1, $2, $3)',
      [organisationId, key, type],
    );

  const aContact = async (organisationId: string, timeZone: string, fields: object) => {
    const id = randomUUID();
    const email = `patient.${unique()}@example.test`;
    await api.dataSource.query(
      `INSERT INTO contacts (id, organisation_id, email, email_normalised, name, time_zone, fields)
       VALUES ($1, $2, $3, $3, $4, $5, $6)`,
      [id, organisationId, email, 'Jane Doe', timeZone, fields],
    );
    return id;
  };

  const reminder = {
    name: 'Appointment reminder',
    subject: 'See you {{formatDate contact.fields.appointment_at "EEEE d MMMM"}}',
    text: 'Dear {{contact.name}}, at {{formatDate contact.fields.appointment_at "HH:mm"}}.',
    html: '<p>Dear {{contact.name}}, bring {{trigger.bring}}.</p>',
  };

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, ['templates:manage']);
    await declareField(tenant.organisationId, 'appointment_at', 'datetime');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('creates, reads, lists, edits as a new version and deletes a template', async () => {
    const created = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: reminder,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...reminder, version: 1, id: expect.any(String) });
    const path = `/v1/templates/${created.body.id}`;

    const read = await call<any>(api, 'GET', path, { token: tenant.token });
    expect(read.body).toEqual(created.body);

    const edited = await call<any>(api, 'PUT', path, {
      token: tenant.token,
      body: { ...reminder, name: 'Reminder v2', html: undefined },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Reminder v2', version: 2, html: null });

    const listed = await call<any>(api, 'GET', '/v1/templates', { token: tenant.token });
    expect(listed.body.data).toContainEqual(
      expect.objectContaining({ id: created.body.id, name: 'Reminder v2', version: 2 }),
    );

    expect((await call(api, 'DELETE', path, { token: tenant.token })).status).toBe(204);
    expect((await call(api, 'GET', path, { token: tenant.token })).status).toBe(404);
  });

  it('stores the parts sealed, never in clear', async () => {
    const marker = `Marker${unique()}`;
    const created = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: { ...reminder, text: `${marker} {{contact.name}}` },
    });

    const [row] = await api.dataSource.query(
      'SELECT content_ciphertext FROM templates WHERE id = $1',
      [created.body.id],
    );
    expect(Buffer.from(row.content_ciphertext).toString('latin1')).not.toContain(marker);
  });

  it('refuses at save every unknown field, root and helper, with part and line', async () => {
    const response = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: {
        name: 'Broken',
        subject: 'Hi {{patient.name}}',
        text: 'ok\n{{contact.fields.allergy}}',
        html: '{{#each trigger.items}}x{{/each}}{{shout contact.name}}',
      },
    });

    expect(response.status).toBe(422);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.details).toEqual([
      { path: 'subject', message: expect.stringContaining('line 1: patient.name is not') },
      {
        path: 'text',
        message: 'line 2: contact.fields.allergy is not a contact field of this organisation',
      },
      { path: 'html', message: expect.stringContaining('#each is not an allowed helper') },
      { path: 'html', message: expect.stringContaining('shout is not a helper') },
    ]);
    const listed = await call<any>(api, 'GET', '/v1/templates', { token: tenant.token });
    expect(listed.body.data.map((t: { name: string }) => t.name)).not.toContain('Broken');
  });

  it('refuses a field another organisation declared', async () => {
    const other = await createTenant(api, ['templates:manage']);
    await declareField(other.organisationId, 'insurer', 'string');

    const response = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: { name: 'x', subject: 'Hi', text: '{{contact.fields.insurer}}' },
    });

    expect(response.status).toBe(422);
  });

  it('previews a saved template for a stored contact, in the contact time zone', async () => {
    const created = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: reminder,
    });
    // 29 March 2026 01:30 UTC is 03:30 in Berlin, just after the change to summer time.
    const contactId = await aContact(tenant.organisationId, 'Europe/Berlin', {
      appointment_at: '2026-03-29T01:30:00Z',
    });

    const preview = await call<any>(api, 'POST', `/v1/templates/${created.body.id}/preview`, {
      token: tenant.token,
      body: { contactId, trigger: { bring: 'your <card>' } },
    });

    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      subject: 'See you Sunday 29 March',
      text: 'Dear Jane Doe, at 03:30.',
      html: '<p>Dear Jane Doe, bring your &lt;card&gt;.</p>',
    });
  });

  it('answers missing_value naming the path, not the value, when a value is missing', async () => {
    const created = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: reminder,
    });
    const contactId = await aContact(tenant.organisationId, 'UTC', {});

    const preview = await call<any>(api, 'POST', `/v1/templates/${created.body.id}/preview`, {
      token: tenant.token,
      body: { contactId, trigger: { bring: 'x' } },
    });

    expect(preview.status).toBe(422);
    expect(preview.body.code).toBe('missing_value');
    expect(preview.body.details).toEqual([
      { path: 'contact.fields.appointment_at', message: expect.any(String) },
    ]);
    expect(preview.text).not.toContain('Jane');
  });

  it('previews a draft with sample data, after the save-time checks', async () => {
    const draft = await call<any>(api, 'POST', '/v1/templates/preview', {
      token: tenant.token,
      body: {
        template: { subject: 'Hi {{contact.name}}', text: '{{trigger.when}}' },
        contact: { name: 'Sam' },
        trigger: { when: 'today' },
      },
    });
    const refused = await call<any>(api, 'POST', '/v1/templates/preview', {
      token: tenant.token,
      body: { template: { subject: 'Hi {{name}}', text: 'x' } },
    });

    expect(draft.body).toEqual({ subject: 'Hi Sam', text: 'today' });
    expect(refused.status).toBe(422);
    expect(refused.body.details[0].path).toBe('subject');
  });

  it("answers 404 to another organisation's template and contact", async () => {
    const created = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: reminder,
    });
    const other = await createTenant(api, ['templates:manage']);
    const path = `/v1/templates/${created.body.id}`;
    const theirContact = await aContact(other.organisationId, 'UTC', {});

    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PUT', '', reminder],
      ['DELETE', '', undefined],
      ['POST', '/preview', { contact: {} }],
    ] as const) {
      const response = await call(api, method, path + suffix, { token: other.token, body });
      expect(response.status).toBe(404);
    }
    const foreignContact = await call<any>(api, 'POST', `${path}/preview`, {
      token: tenant.token,
      body: { contactId: theirContact },
    });
    expect(foreignContact.status).toBe(404);
    expect((await call(api, 'GET', path, { token: tenant.token })).status).toBe(200);
  });

  it('renders for the journey engine: edits at once, other tenants refused', async () => {
    const renderer = api.app.get(TemplateRenderService);
    const created = await call<any>(api, 'POST', '/v1/templates', {
      token: tenant.token,
      body: { name: 'r', subject: 'Hi {{contact.name}}', text: 'v1 {{trigger.code}}' },
    });
    const contact = {
      id: randomUUID(),
      email: 'jane@example.test',
      name: 'Jane',
      timeZone: 'UTC',
      fields: {},
      unsubscribedAt: null,
      ehrPatientRef: null,
    };
    const first = await renderer.render(tenant.organisationId, created.body.id, {
      contact,
      trigger: { code: 'A1' },
    });
    await call(api, 'PUT', `/v1/templates/${created.body.id}`, {
      token: tenant.token,
      body: { name: 'r', subject: 'Hi {{contact.name}}', text: 'v2 {{trigger.code}}' },
    });
    const second = await renderer.render(tenant.organisationId, created.body.id, {
      contact,
      trigger: { code: 'A1' },
    });
    const missing = await renderer
      .render(tenant.organisationId, created.body.id, { contact, trigger: {} })
      .catch((error: unknown) => error);
    const other = await createTenant(api, ['templates:manage']);
    const foreign = await renderer
      .render(other.organisationId, created.body.id, { contact, trigger: { code: 'A1' } })
      .catch((error: { code?: string }) => error.code);

    expect(first).toEqual({ subject: 'Hi Jane', text: 'v1 A1' });
    expect(second).toEqual({ subject: 'Hi Jane', text: 'v2 A1' });
    expect(missing).toBeInstanceOf(TemplateError);
    expect(missing).toMatchObject({ code: 'missing_value', path: 'trigger.code' });
    expect(foreign).toBe('not_found');
  });

  it('requires the templates:manage scope', async () => {
    const reader = await createTenant(api, ['messages:read']);

    const response = await call<any>(api, 'GET', '/v1/templates', { token: reader.token });

    expect(response.status).toBe(403);
  });
});
