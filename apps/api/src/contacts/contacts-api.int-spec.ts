import { randomBytes } from 'node:crypto';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const email = () => `patient.${randomBytes(4).toString('hex')}@example.net`;

describe('contacts API', () => {
  let api: TestApi;
  let tenant: Tenant;
  let other: Tenant;
  let reader: Tenant;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, ['contacts:read', 'contacts:write']);
    other = await createTenant(api, ['contacts:read', 'contacts:write']);
    reader = await createTenant(api, ['contacts:read']);
    for (const [key, type] of [
      ['plan', 'string'],
      ['visits', 'number'],
      ['vip', 'boolean'],
      ['birthday', 'date'],
      ['appointment_at', 'datetime'],
    ]) {
      const declared = await call(api, 'POST', '/v1/contact-fields', {
        token: tenant.token,
        body: { key, type },
      });
      expect(declared.status).toBe(201);
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  const create = (body: unknown, who: Tenant = tenant) =>
    call<any>(api, 'POST', '/v1/contacts', { token: who.token, body });

  it('creates, reads, updates and deletes a contact with typed fields', async () => {
    const address = email();
    const created = await create({
      email: address,
      name: 'Ann Example',
      timeZone: 'America/Chicago',
      fields: { plan: 'gold', visits: 3, vip: true, birthday: '1980-02-29' },
      consent: 'opt-in at front desk',
      ehrPatientRef: 'Patient/123',
    });
    const id = created.body.id as string;
    const read = await call<any>(api, 'GET', `/v1/contacts/${id}`, { token: tenant.token });
    const updated = await call<any>(api, 'PATCH', `/v1/contacts/${id}`, {
      token: tenant.token,
      body: {
        fields: { visits: 4, plan: null, appointment_at: '2026-03-01T09:30:00-06:00' },
        unsubscribed: true,
        name: null,
      },
    });
    const removed = await call(api, 'DELETE', `/v1/contacts/${id}`, { token: tenant.token });
    const gone = await call<any>(api, 'GET', `/v1/contacts/${id}`, { token: tenant.token });

    expect(created.status).toBe(201);
    expect(read.body).toEqual({
      id,
      email: address,
      name: 'Ann Example',
      timeZone: 'America/Chicago',
      fields: { plan: 'gold', visits: 3, vip: true, birthday: '1980-02-29' },
      unsubscribedAt: null,
      consent: 'opt-in at front desk',
      ehrPatientRef: 'Patient/123',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: null,
      timeZone: 'America/Chicago',
      fields: {
        visits: 4,
        vip: true,
        birthday: '1980-02-29',
        appointment_at: '2026-03-01T09:30:00-06:00',
      },
      unsubscribedAt: expect.any(String),
      ehrPatientRef: 'Patient/123',
    });
    expect(removed.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('defaults the time zone to UTC', async () => {
    const created = await create({ email: email() });

    expect(created.body).toMatchObject({ timeZone: 'UTC', fields: {}, name: null });
  });

  it('answers 409 already_exists for an email the organisation has, in any case', async () => {
    const address = email();
    await create({ email: address });

    const again = await create({
      email: address.toUpperCase().replace('EXAMPLE.NET', 'example.net'),
    });
    const elsewhere = await create({ email: address }, other);

    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_exists', details: [{ path: 'email' }] });
    expect(again.text).not.toContain(address);
    expect(elsewhere.status).toBe(201);
  });

  it('answers 409 when an update takes another contact email', async () => {
    const taken = email();
    await create({ email: taken });
    const mine = await create({ email: email() });

    const reply = await call<any>(api, 'PATCH', `/v1/contacts/${mine.body.id}`, {
      token: tenant.token,
      body: { email: taken },
    });

    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe('already_exists');
  });

  it('lists every problem of a contact in one 422 and quotes no value', async () => {
    const reply = await create({
      email: 'jane.doe-at-clinic',
      timeZone: 'Mars/Olympus',
      unsubscribed: 'yes',
      fields: {
        plan: 7,
        visits: 'many',
        vip: 'true',
        birthday: '1981-02-29',
        appointment_at: '2026-03-01T09:30:00',
        shoe_size: 44,
      },
    });

    expect(reply.status).toBe(422);
    expect(reply.body.code).toBe('validation_failed');
    expect(reply.body.details.map((detail: { path: string }) => detail.path).sort()).toEqual(
      [
        'email',
        'timeZone',
        'unsubscribed',
        'fields.plan',
        'fields.visits',
        'fields.vip',
        'fields.birthday',
        'fields.appointment_at',
        'fields.shoe_size',
      ].sort(),
    );
    expect(reply.text).not.toMatch(/jane|Olympus|many|1981/);
  });

  it("answers 404 for another organisation's contact on read, update and delete", async () => {
    const mine = await create({ email: email() });
    const id = mine.body.id as string;

    const read = await call(api, 'GET', `/v1/contacts/${id}`, { token: other.token });
    const update = await call(api, 'PATCH', `/v1/contacts/${id}`, {
      token: other.token,
      body: { name: 'Mallory' },
    });
    const remove = await call(api, 'DELETE', `/v1/contacts/${id}`, { token: other.token });
    const listed = await call<any>(api, 'GET', '/v1/contacts?limit=500', { token: other.token });
    const still = await call<any>(api, 'GET', `/v1/contacts/${id}`, { token: tenant.token });

    expect([read.status, update.status, remove.status]).toEqual([404, 404, 404]);
    expect(listed.body.data.map((c: { id: string }) => c.id)).not.toContain(id);
    expect(still.body.name).toBeNull();
  });

  it('answers 404 for a malformed id', async () => {
    const reply = await call<any>(api, 'GET', '/v1/contacts/not-a-uuid', { token: tenant.token });

    expect(reply.status).toBe(404);
  });

  it('refuses writes to a key holding only contacts:read', async () => {
    const reply = await create({ email: email() }, reader);

    expect(reply.status).toBe(403);
  });

  it('pages through contacts with a cursor and filters by email and unsubscribed', async () => {
    const org = await createTenant(api, ['contacts:read', 'contacts:write']);
    const addresses = Array.from({ length: 5 }, email);
    for (const [index, address] of addresses.entries()) {
      await create({ email: address, unsubscribed: index === 0 }, org);
    }

    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: any = await call<any>(api, 'GET', `/v1/contacts?limit=2${query}`, {
        token: org.token,
      });
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((c: { email: string }) => c.email));
      cursor = page.body.nextCursor;
    }
    const byEmail = await call<any>(
      api,
      'GET',
      `/v1/contacts?email=${encodeURIComponent(addresses[2].toUpperCase())}`,
      { token: org.token },
    );
    const unsubscribed = await call<any>(api, 'GET', '/v1/contacts?unsubscribed=true', {
      token: org.token,
    });
    const badCursor = await call<any>(api, 'GET', '/v1/contacts?cursor=xyz', { token: org.token });

    expect(seen.sort()).toEqual([...addresses].sort());
    expect(byEmail.body.data.map((c: { email: string }) => c.email)).toEqual([addresses[2]]);
    expect(unsubscribed.body.data.map((c: { email: string }) => c.email)).toEqual([addresses[0]]);
    expect(badCursor.status).toBe(422);
  });

  describe('contact fields', () => {
    it('lists the declared fields and refuses a key declared twice with 409', async () => {
      const listed = await call<any>(api, 'GET', '/v1/contact-fields', { token: tenant.token });
      const again = await call<any>(api, 'POST', '/v1/contact-fields', {
        token: tenant.token,
        body: { key: 'plan', type: 'number' },
      });

      expect(listed.body.data).toContainEqual({ key: 'appointment_at', type: 'datetime' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already_exists');
    });

    it('refuses a bad key and an unknown type, both at once', async () => {
      const reply = await call<any>(api, 'POST', '/v1/contact-fields', {
        token: tenant.token,
        body: { key: '1 bad key', type: 'money' },
      });

      expect(reply.status).toBe(422);
      expect(reply.body.details.map((d: { path: string }) => d.path)).toEqual(['key', 'type']);
    });

    it('removes a field and its values, so the key can come back with another type', async () => {
      const org = await createTenant(api, ['contacts:read', 'contacts:write']);
      await call(api, 'POST', '/v1/contact-fields', {
        token: org.token,
        body: { key: 'score', type: 'string' },
      });
      const contact = await create({ email: email(), fields: { score: 'high' } }, org);

      const removed = await call(api, 'DELETE', '/v1/contact-fields/score', { token: org.token });
      await call(api, 'POST', '/v1/contact-fields', {
        token: org.token,
        body: { key: 'score', type: 'number' },
      });
      const read = await call<any>(api, 'GET', `/v1/contacts/${contact.body.id}`, {
        token: org.token,
      });
      const otherOrgRemove = await call(api, 'DELETE', '/v1/contact-fields/plan', {
        token: other.token,
      });

      expect(removed.status).toBe(204);
      expect(read.body.fields).toEqual({});
      expect(otherOrgRemove.status).toBe(404);
    });
  });

  describe('bulk upsert', () => {
    it('upserts by email, rejects bad rows and answers one result per row', async () => {
      const existing = email();
      const created = await create({
        email: existing,
        name: 'Old',
        unsubscribed: true,
        fields: { plan: 'silver', visits: 1 },
      });
      const fresh = email();

      const reply = await call<any>(api, 'POST', '/v1/contacts/bulk', {
        token: tenant.token,
        body: {
          contacts: [
            { email: fresh, fields: { visits: 2 } },
            { email: existing.toUpperCase(), name: 'New', fields: { visits: 5 } },
            { email: 'broken', fields: { visits: 'x' } },
            { email: fresh, name: 'duplicate' },
          ],
        },
      });
      const updated = await call<any>(api, 'GET', `/v1/contacts/${created.body.id}`, {
        token: tenant.token,
      });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ created: 1, updated: 1, rejected: 2 });
      expect(reply.body.results).toEqual([
        { index: 0, status: 'created', id: expect.any(String) },
        { index: 1, status: 'updated', id: created.body.id },
        {
          index: 2,
          status: 'rejected',
          errors: [
            { path: 'email', message: 'must be a valid email address' },
            { path: 'fields.visits', message: 'must be a number' },
          ],
        },
        {
          index: 3,
          status: 'rejected',
          errors: [{ path: 'email', message: 'has the same email as row 0' }],
        },
      ]);
      // Attributes a row leaves out keep their values: an import never resubscribes anyone.
      expect(updated.body).toMatchObject({
        name: 'New',
        unsubscribedAt: created.body.unsubscribedAt ?? expect.any(String),
        fields: { plan: 'silver', visits: 5 },
      });
      expect(reply.text).not.toContain('broken');
    });

    it('refuses more than 1000 contacts in one call', async () => {
      const contacts = Array.from({ length: 1001 }, () => ({ email: email() }));

      const reply = await call<any>(api, 'POST', '/v1/contacts/bulk', {
        token: tenant.token,
        body: { contacts },
      });

      expect(reply.status).toBe(422);
      expect(reply.body.details[0].path).toBe('contacts');
    });

    it("updates only the caller's contacts: the same email elsewhere is not touched", async () => {
      const address = email();
      const theirs = await create({ email: address, name: 'Theirs' }, other);

      const reply = await call<any>(api, 'POST', '/v1/contacts/bulk', {
        token: tenant.token,
        body: { contacts: [{ email: address, name: 'Mine' }] },
      });
      const read = await call<any>(api, 'GET', `/v1/contacts/${theirs.body.id}`, {
        token: other.token,
      });

      expect(reply.body.results[0]).toMatchObject({ status: 'created' });
      expect(read.body.name).toBe('Theirs');
    });
  });
});
