import { randomUUID } from 'node:crypto';
import { ChainedAuditLog, MessageEventChainer } from '@sealpost/audit';
import { AuditLog, Clock, type ErrorBody } from '@sealpost/core';
import { FakeClock } from '@sealpost/core/testing';
import { RetentionPurgeService } from '@sealpost/messaging';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

interface MessageRow {
  id: string;
  destroyed: boolean;
  content_destroyed_at: Date | null;
}

describe('Retention of bodies and events (real app, PostgreSQL)', () => {
  // Later than any row the database stamps now(), so every message is "old" to the purge.
  const clock = new FakeClock();
  let api: TestApi;
  let tenant: Tenant;
  let purge: RetentionPurgeService;
  let chainer: MessageEventChainer;

  beforeAll(async () => {
    api = await startTestApi({}, (module) => module.overrideProvider(Clock).useValue(clock));
    tenant = await createTenant(api, ['admin']);
    purge = new RetentionPurgeService(api.dataSource, clock, api.app.get(AuditLog));
    chainer = new MessageEventChainer(api.dataSource, api.app.get(ChainedAuditLog));
  });

  afterAll(async () => {
    await api?.close();
  });

  async function send(owner: Tenant): Promise<string> {
    const response = await call<{ id: string }>(api, 'POST', '/v1/messages', {
      token: owner.token,
      body: {
        from: 'clinic@north.example',
        to: [`patient-${randomUUID()}@mail.example`],
        subject: 'Your results',
        text: 'Your lab results are ready.',
        attachments: [
          { filename: 'r.txt', contentType: 'text/plain', content: btoa('glucose 5.4') },
        ],
      },
    });
    expect(response.status).toBe(202);
    return response.body.id;
  }

  function settle(messageId: string): Promise<unknown> {
    return api.dataSource.query(
      `UPDATE message_recipients SET status = 'delivered', delivered_at = now()
        WHERE message_id = $1`,
      [messageId],
    );
  }

  function messages(ids: string[]): Promise<MessageRow[]> {
    return api.dataSource.query<MessageRow[]>(
      `SELECT id, content_ciphertext IS NULL AS destroyed, content_destroyed_at
         FROM messages WHERE id = ANY($1) ORDER BY array_position($1, id)`,
      [ids],
    );
  }

  function eventCount(messageId: string): Promise<number> {
    return api.dataSource
      .query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM message_events WHERE message_id = $1`,
        [messageId],
      )
      .then(([row]) => row.n);
  }

  it('keeps everything by default and refuses bad days, listing each field', async () => {
    const other = await createTenant(api, ['admin']);

    const initial = await call(api, 'GET', '/v1/organisation/retention', { token: other.token });
    const bad = await call<ErrorBody>(api, 'PUT', '/v1/organisation/retention', {
      token: other.token,
      body: { bodyDays: 0, eventDays: 3 },
    });
    const saved = await call(api, 'PUT', '/v1/organisation/retention', {
      token: other.token,
      body: { bodyDays: 30, eventDays: null },
    });
    const read = await call(api, 'GET', '/v1/organisation/retention', { token: other.token });
    const unscoped = await createTenant(api, ['messages:send']);
    const refused = await call(api, 'PUT', '/v1/organisation/retention', {
      token: unscoped.token,
      body: { bodyDays: 1, eventDays: null },
    });

    expect(initial.body).toEqual({ bodyDays: null, eventDays: null });
    expect(bad.status).toBe(422);
    expect(bad.body.details?.map((detail) => detail.path)).toEqual(['bodyDays', 'eventDays']);
    expect(saved.status).toBe(200);
    expect(read.body).toEqual({ bodyDays: 30, eventDays: null });
    expect(refused.status).toBe(403);
  });

  it('destroys settled bodies and old events, keeps pending ones and the records', async () => {
    const bystander = await createTenant(api, ['admin']);
    const delivered = [await send(tenant), await send(tenant)];
    const pending = await send(tenant);
    const elsewhere = await send(bystander);
    await Promise.all([...delivered, elsewhere].map(settle));
    while ((await chainer.chainBatch()) > 0) {
      // every event is in the audit chain before retention may delete it
    }
    await call(api, 'PUT', '/v1/organisation/retention', {
      token: tenant.token,
      body: { bodyDays: 1, eventDays: 7 },
    });

    const results = await purge.purge();
    const rows = await messages([...delivered, pending, elsewhere]);
    const shown = await call<{ id: string; recipients: { status: string }[] }>(
      api,
      'GET',
      `/v1/messages/${delivered[0]}`,
      { token: tenant.token },
    );
    const [purged] = await api.dataSource.query<{ details: Record<string, number> }[]>(
      `SELECT details FROM audit_records
        WHERE organisation_id = $1 AND action = 'retention.purged'`,
      [tenant.organisationId],
    );
    const verified = await call<{ ok: boolean }>(api, 'GET', '/v1/audit/verify', {
      token: tenant.token,
    });

    expect(results).toEqual([
      expect.objectContaining({ organisationId: tenant.organisationId, bodiesDestroyed: 2 }),
    ]);
    expect(rows.map((row) => row.destroyed)).toEqual([true, true, false, false]);
    expect(rows[0].content_destroyed_at).toEqual(clock.now());
    expect(await eventCount(delivered[0])).toBe(0);
    expect(await eventCount(elsewhere)).toBeGreaterThan(0);
    expect(shown.status).toBe(200);
    expect(shown.body.recipients[0].status).toBe('delivered');
    expect(purged.details).toMatchObject({ bodiesDestroyed: 2, bodyDays: 1, eventDays: 7 });
    expect(purged.details.eventsDeleted).toBeGreaterThanOrEqual(3);
    expect(verified.body.ok).toBe(true);
  });

  it('leaves events the audit chain has not taken yet, and purges nothing twice', async () => {
    const fresh = await send(tenant);
    await settle(fresh);

    const first = await purge.purge();
    const second = await purge.purge();

    const [row] = await messages([fresh]);
    expect(row.destroyed).toBe(true);
    expect(first[0]).toMatchObject({ bodiesDestroyed: 1, eventsDeleted: 0 });
    expect(await eventCount(fresh)).toBeGreaterThan(0);
    expect(second).toEqual([]);
  });
});
