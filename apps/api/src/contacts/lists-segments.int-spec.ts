import { randomBytes, randomUUID } from 'node:crypto';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const email = () => `patient.${randomBytes(4).toString('hex')}@example.net`;
const DAY = 24 * 60 * 60 * 1000;

describe('lists and segments API', () => {
  let api: TestApi;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, ['contacts:read', 'contacts:write']);
    other = await createTenant(api, ['contacts:read', 'contacts:write']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const post = (who: Tenant, path: string, body: unknown) =>
    call<any>(api, 'POST', path, { token: who.token, body });
  const get = (who: Tenant, path: string) => call<any>(api, 'GET', path, { token: who.token });

  async function contact(who: Tenant, body: Record<string, unknown> = {}): Promise<string> {
    const created = await post(who, '/v1/contacts', { email: email(), ...body });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  /** A delivered workflow email to `contactId` and its tracking events, `daysAgo` old. */
  async function engagement(
    who: Tenant,
    contactId: string,
    workflowId: string,
    type: 'opened' | 'clicked',
    daysAgo: number,
  ): Promise<void> {
    const messageId = randomUUID();
    const recipientId = randomUUID();
    const metadata = { workflowId, workflowVersion: '1', stepId: 'send-1', contactId };
    await api.dataSource.query(
      `INSERT INTO messages (id, organisation_id, from_address, metadata, content_ciphertext,
                             content_wrapped_key, content_key_id, size_bytes)
       VALUES ($1, $2, 'clinic@example.org', $3, '\\x00', '\\x00', 'k', 1)`,
      [messageId, who.organisationId, JSON.stringify(metadata)],
    );
    await api.dataSource.query(
      `INSERT INTO message_recipients (id, organisation_id, message_id, kind, address, domain,
                                       status)
       VALUES ($1, $2, $3, 'to', 'x@example.net', 'example.net', 'delivered')`,
      [recipientId, who.organisationId, messageId],
    );
    await api.dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [who.organisationId, messageId, recipientId, type, new Date(Date.now() - daysAgo * DAY)],
    );
  }

  describe('lists', () => {
    it('creates a list, adds and removes members, and pages its members', async () => {
      const ids = [await contact(tenant), await contact(tenant), await contact(tenant)];
      const foreign = await contact(other);
      const created = await post(tenant, '/v1/lists', { name: `Programme ${randomUUID()}` });
      const listId = created.body.id as string;

      const added = await post(tenant, `/v1/lists/${listId}/members`, {
        contactIds: [...ids, foreign],
      });
      const again = await post(tenant, `/v1/lists/${listId}/members`, { contactIds: [ids[0]] });
      const removed = await post(tenant, `/v1/lists/${listId}/members/remove`, {
        contactIds: [ids[2]],
      });
      const page1 = await get(tenant, `/v1/lists/${listId}/members?limit=1`);
      const page2 = await get(
        tenant,
        `/v1/lists/${listId}/members?limit=1&cursor=${page1.body.nextCursor}`,
      );
      const shown = await get(tenant, `/v1/lists/${listId}`);

      expect(created.status).toBe(201);
      expect(added.body).toEqual({ changed: 3, unchanged: 0, notFound: [foreign] });
      expect(again.body).toEqual({ changed: 0, unchanged: 1, notFound: [] });
      expect(removed.body).toEqual({ changed: 1, unchanged: 0, notFound: [] });
      expect(
        [...page1.body.data, ...page2.body.data].map((c: { id: string }) => c.id).sort(),
      ).toEqual([ids[0], ids[1]].sort());
      expect(page2.body.nextCursor).toBeNull();
      expect(shown.body).toMatchObject({ id: listId, members: 2 });
    });

    it('refuses a second list of the same name with 409', async () => {
      const name = `Twice ${randomUUID()}`;
      await post(tenant, '/v1/lists', { name });

      const again = await post(tenant, '/v1/lists', { name });

      expect(again.status).toBe(409);
      expect(again.body.code).toBe('already_exists');
    });

    it("answers 404 for another organisation's list on every route", async () => {
      const created = await post(tenant, '/v1/lists', { name: `Mine ${randomUUID()}` });
      const listId = created.body.id as string;
      const theirContact = await contact(other);

      const replies = await Promise.all([
        get(other, `/v1/lists/${listId}`),
        get(other, `/v1/lists/${listId}/members`),
        post(other, `/v1/lists/${listId}/members`, { contactIds: [theirContact] }),
        call(api, 'PATCH', `/v1/lists/${listId}`, { token: other.token, body: { name: 'x' } }),
        call(api, 'DELETE', `/v1/lists/${listId}`, { token: other.token }),
      ]);
      const listed = await get(other, '/v1/lists');

      expect(replies.map((reply) => reply.status)).toEqual([404, 404, 404, 404, 404]);
      expect(listed.body.data.map((l: { id: string }) => l.id)).not.toContain(listId);
    });

    it('renames and deletes a list', async () => {
      const created = await post(tenant, '/v1/lists', { name: `Old ${randomUUID()}` });
      const id = created.body.id as string;

      const renamed = await call<any>(api, 'PATCH', `/v1/lists/${id}`, {
        token: tenant.token,
        body: { name: 'Renamed list' },
      });
      const removed = await call(api, 'DELETE', `/v1/lists/${id}`, { token: tenant.token });

      expect(renamed.body.name).toBe('Renamed list');
      expect(removed.status).toBe(204);
      expect((await get(tenant, `/v1/lists/${id}`)).status).toBe(404);
    });
  });

  describe('segments', () => {
    let org: Tenant;
    let gold: string;
    let silver: string;
    let bare: string;
    let unsubscribed: string;

    beforeAll(async () => {
      org = await createTenant(api, ['contacts:read', 'contacts:write']);
      for (const [key, type] of [
        ['plan', 'string'],
        ['visits', 'number'],
        ['vip', 'boolean'],
        ['birthday', 'date'],
        ['appointment_at', 'datetime'],
      ]) {
        await post(org, '/v1/contact-fields', { key, type });
      }
      const soon = new Date(Date.now() + DAY).toISOString();
      const later = new Date(Date.now() + 10 * DAY).toISOString();
      gold = await contact(org, {
        name: 'Gold Member',
        fields: {
          plan: 'gold',
          visits: 5,
          vip: true,
          birthday: '1970-05-01',
          appointment_at: soon,
        },
      });
      silver = await contact(org, {
        name: 'Silver 50%',
        fields: {
          plan: 'silver',
          visits: 2,
          vip: false,
          birthday: '1990-05-01',
          appointment_at: later,
        },
      });
      bare = await contact(org);
      unsubscribed = await contact(org, { unsubscribed: true, fields: { plan: 'gold' } });
    });

    const count = async (filter: unknown): Promise<number> => {
      const reply = await post(org, '/v1/segments/count', { filter });
      expect(reply.status).toBe(200);
      return reply.body.count as number;
    };

    const membersOf = async (filter: unknown): Promise<string[]> => {
      const created = await post(org, '/v1/segments', { name: `S ${randomUUID()}`, filter });
      expect(created.status).toBe(201);
      const page = await get(org, `/v1/segments/${created.body.id}/members?limit=500`);
      return page.body.data.map((c: { id: string }) => c.id).sort();
    };

    it.each([
      [
        'eq on a custom string',
        { field: 'fields.plan', op: 'eq', value: 'gold' },
        ['gold', 'unsub'],
      ],
      [
        'neq includes contacts without the value',
        { field: 'fields.plan', op: 'neq', value: 'gold' },
        ['silver', 'bare'],
      ],
      ['gt on a number', { field: 'fields.visits', op: 'gt', value: 2 }, ['gold']],
      ['lte on a number', { field: 'fields.visits', op: 'lte', value: 2 }, ['silver']],
      ['boolean eq', { field: 'fields.vip', op: 'eq', value: false }, ['silver']],
      ['exists', { field: 'fields.visits', op: 'exists' }, ['gold', 'silver']],
      ['exists false', { field: 'fields.plan', op: 'exists', value: false }, ['bare']],
      [
        'before on a date',
        { field: 'fields.birthday', op: 'before', value: '1980-01-01' },
        ['gold'],
      ],
      [
        'within the next 2 days',
        { field: 'fields.appointment_at', op: 'within_days', value: 2 },
        ['gold'],
      ],
      [
        'within the last 2 days (created)',
        { field: 'createdAt', op: 'within_days', value: -2 },
        ['gold', 'silver', 'bare', 'unsub'],
      ],
      ['contains, wildcards literal', { field: 'name', op: 'contains', value: '50%' }, ['silver']],
      ['contains, case-insensitive', { field: 'name', op: 'contains', value: 'gold m' }, ['gold']],
      ['unsubscribed', { unsubscribed: true }, ['unsub']],
      ['not', { not: { field: 'fields.plan', op: 'eq', value: 'gold' } }, ['silver', 'bare']],
      [
        'all and any',
        {
          all: [
            { unsubscribed: false },
            {
              any: [
                { field: 'fields.plan', op: 'eq', value: 'gold' },
                { field: 'fields.visits', op: 'gte', value: 2 },
              ],
            },
          ],
        },
        ['gold', 'silver'],
      ],
    ])('evaluates %s in SQL', async (_name, filter, expected) => {
      const names: Record<string, string> = { gold, silver, bare, unsub: unsubscribed };

      expect(await membersOf(filter)).toEqual(expected.map((key) => names[key]).sort());
      expect(await count(filter)).toBe(expected.length);
    });

    it('matches list membership of its own lists', async () => {
      const list = await post(org, '/v1/lists', { name: `L ${randomUUID()}` });
      await post(org, `/v1/lists/${list.body.id}/members`, { contactIds: [silver] });

      expect(await membersOf({ list: list.body.id })).toEqual([silver]);
      expect(await count({ not: { list: list.body.id } })).toBe(3);
    });

    it("refuses a filter naming another organisation's list", async () => {
      const theirs = await post(other, '/v1/lists', { name: `Theirs ${randomUUID()}` });

      const reply = await post(org, '/v1/segments/count', { filter: { list: theirs.body.id } });

      expect(reply.status).toBe(422);
    });

    it('matches opened or clicked emails of a given workflow within N days', async () => {
      const workflowA = randomUUID();
      const workflowB = randomUUID();
      await engagement(org, gold, workflowA, 'clicked', 1);
      await engagement(org, silver, workflowA, 'opened', 10);
      await engagement(org, bare, workflowB, 'clicked', 1);
      // The same contact id in another organisation must never count.
      await engagement(other, silver, workflowA, 'clicked', 1);

      expect(
        await membersOf({ engagement: 'clicked', workflowId: workflowA, withinDays: 7 }),
      ).toEqual([gold]);
      expect(
        await membersOf({ engagement: 'opened', workflowId: workflowA, withinDays: 7 }),
      ).toEqual([]);
      expect(
        await membersOf({ engagement: 'opened', workflowId: workflowA, withinDays: 30 }),
      ).toEqual([silver]);
      expect(await membersOf({ engagement: 'clicked' })).toEqual([gold, bare].sort());
      expect(
        await membersOf({
          all: [{ unsubscribed: false }, { not: { engagement: 'clicked', workflowId: workflowA } }],
        }),
      ).toEqual([silver, bare].sort());
    });

    it('answers 422 listing every problem of a filter', async () => {
      const reply = await post(org, '/v1/segments', {
        name: '',
        filter: {
          all: [
            { field: 'fields.nope', op: 'eq', value: 1 },
            { field: 'fields.visits', op: 'gt', value: 'many' },
            { engagement: 'bounced' },
          ],
        },
      });

      expect(reply.status).toBe(422);
      expect(reply.body.details.map((d: { path: string }) => d.path)).toEqual([
        'name',
        'filter.all[0].field',
        'filter.all[1].value',
        'filter.all[2].engagement',
      ]);
      expect(reply.text).not.toContain('many');
    });

    it('counts a saved segment, updates its filter and deletes it', async () => {
      const created = await post(org, '/v1/segments', {
        name: `Gold ${randomUUID()}`,
        filter: { field: 'fields.plan', op: 'eq', value: 'gold' },
      });
      const id = created.body.id as string;

      const before = await get(org, `/v1/segments/${id}/count`);
      const updated = await call<any>(api, 'PUT', `/v1/segments/${id}`, {
        token: org.token,
        body: { name: 'Silver', filter: { field: 'fields.plan', op: 'eq', value: 'silver' } },
      });
      const after = await get(org, `/v1/segments/${id}/count`);
      const listed = await get(org, '/v1/segments');
      const removed = await call(api, 'DELETE', `/v1/segments/${id}`, { token: org.token });

      expect(before.body).toEqual({ count: 2 });
      expect(updated.body).toMatchObject({ id, name: 'Silver' });
      expect(after.body).toEqual({ count: 1 });
      expect(listed.body.data.map((s: { id: string }) => s.id)).toContain(id);
      expect(removed.status).toBe(204);
    });

    it("answers 404 for another organisation's segment, its count and members", async () => {
      const created = await post(org, '/v1/segments', {
        name: `P ${randomUUID()}`,
        filter: { unsubscribed: false },
      });
      const id = created.body.id as string;

      const replies = await Promise.all([
        get(other, `/v1/segments/${id}`),
        get(other, `/v1/segments/${id}/count`),
        get(other, `/v1/segments/${id}/members`),
        call(api, 'DELETE', `/v1/segments/${id}`, { token: other.token }),
      ]);

      expect(replies.map((reply) => reply.status)).toEqual([404, 404, 404, 404]);
    });
  });
});
