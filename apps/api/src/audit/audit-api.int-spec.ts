import { createPublicKey, verify } from 'node:crypto';
import { type ChainVerification, type CheckpointExport } from '@sealpost/audit';
import { tamperAsSuperuser } from '@sealpost/audit/testing';
import { aMessageBody } from '../testing/message-body';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

interface RecordBody {
  sequence: number;
  action: string;
  actor: { type: string; id: string };
  target: { type: string; id: string };
  outcome: string;
  details: Record<string, unknown>;
}

interface PageBody {
  data: RecordBody[];
  nextCursor: string | null;
}

describe('Audit API (real app, PostgreSQL)', () => {
  let api: TestApi;
  let admin: Tenant;
  let adminKeyId: string;

  beforeAll(async () => {
    api = await startTestApi({ SEALPOST_AUDIT_CHECKPOINT_EVERY: '3' });
    admin = await createTenant(api, ['admin']);
    [{ id: adminKeyId }] = await api.dataSource.query<{ id: string }[]>(
      `SELECT id FROM api_keys WHERE organisation_id = $1`,
      [admin.organisationId],
    );
  });

  afterAll(() => api.close());

  const records = (who: Tenant, query = '') =>
    call<PageBody>(api, 'GET', `/v1/audit/records${query}`, { token: who.token });

  it('records admin actions and message reads, by the API key that made them', async () => {
    const created = await call<{ id: string }>(api, 'POST', '/v1/api-keys', {
      token: admin.token,
      body: { name: 'integration', scopes: ['messages:read'] },
    });
    await call(api, 'DELETE', `/v1/api-keys/${created.body.id}`, { token: admin.token });
    const policy = await call<object>(api, 'GET', '/v1/policy', { token: admin.token });
    await call(api, 'PUT', '/v1/policy', { token: admin.token, body: policy.body });
    const sent = await call<{ id: string }>(api, 'POST', '/v1/messages', {
      token: admin.token,
      body: aMessageBody(),
    });
    await call(api, 'GET', `/v1/messages/${sent.body.id}`, { token: admin.token });

    const page = await records(admin);

    expect(page.status).toBe(200);
    const mine = page.body.data.filter((record) => record.actor.id === adminKeyId);
    expect(mine.map((record) => [record.action, record.target.type]).reverse()).toEqual([
      ['api_key.created', 'api_key'],
      ['api_key.revoked', 'api_key'],
      ['policy.changed', 'encryption_policy'],
      ['message.read', 'message'],
    ]);
    expect(mine.every((record) => record.actor.type === 'api_key')).toBe(true);
    expect(mine[0].target.id).toBe(sent.body.id);
    expect(mine[3].target.id).toBe(created.body.id);
  });

  it('records template and workflow changes with their versions', async () => {
    const template = await call<{ id: string }>(api, 'POST', '/v1/templates', {
      token: admin.token,
      body: { name: 'Reminder', subject: 'Your visit', text: 'Hello {{contact.name}}' },
    });
    const workflow = await call<{ id: string }>(api, 'POST', '/v1/workflows', {
      token: admin.token,
      body: {
        name: 'Reminder',
        settings: { senderName: 'North Clinic', senderAddress: 'clinic@example.org' },
        definition: {
          start: 'remind',
          triggers: [{ type: 'event', eventType: 'appointment_booked' }],
          steps: [
            { id: 'remind', type: 'send_email', templateId: template.body.id, next: 'end' },
            { id: 'end', type: 'end' },
          ],
        },
      },
    });
    await call(api, 'POST', `/v1/workflows/${workflow.body.id}/pause`, { token: admin.token });

    const templates = await records(admin, `?targetId=${template.body.id}`);
    const workflows = await records(admin, `?targetType=workflow&targetId=${workflow.body.id}`);

    expect(templates.body.data.map((record) => [record.action, record.details])).toEqual([
      ['template.created', { version: 1 }],
    ]);
    expect(workflows.body.data.map((record) => record.action)).toEqual([
      'workflow.paused',
      'workflow.created',
    ]);
  });

  it('records a change of the organisation settings', async () => {
    await call(api, 'PUT', '/v1/organisation/settings', {
      token: admin.token,
      body: { tracking: { enabled: false } },
    });

    const page = await records(admin, '?action=organisation_settings.changed');

    expect(page.body.data.map((record) => record.details)).toEqual([{ trackingEnabled: false }]);
  });

  it('pages newest first with a cursor and filters by action and target', async () => {
    const first = await records(admin, '?limit=2');
    const second = await records(admin, `?limit=2&cursor=${first.body.nextCursor}`);
    const reads = await records(admin, '?action=message.read');
    const none = await records(admin, '?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z');

    expect(first.body.data).toHaveLength(2);
    expect(second.body.data[0].sequence).toBe(first.body.data[1].sequence - 1);
    expect(reads.body.data.length).toBeGreaterThan(0);
    expect(reads.body.data.every((record) => record.action === 'message.read')).toBe(true);
    expect(none.body.data).toEqual([]);
  });

  it('verifies the chain, exports checkpoints that verify with the exported key', async () => {
    const verified = await call<ChainVerification>(api, 'GET', '/v1/audit/verify', {
      token: admin.token,
    });
    const exported = await call<CheckpointExport>(api, 'GET', '/v1/audit/checkpoints', {
      token: admin.token,
    });

    expect(verified.body).toMatchObject({ ok: true, firstBad: null });
    expect(verified.body.records).toBeGreaterThanOrEqual(5);
    const [checkpoint] = exported.body.checkpoints;
    expect(checkpoint.sequence).toBe(3);
    const key = exported.body.keys.find((candidate) => candidate.keyId === checkpoint.keyId);
    // Checked here with node:crypto and the documented message, not with Sealpost's code.
    const message = [
      'sealpost-audit-checkpoint-v1',
      admin.organisationId,
      String(checkpoint.sequence),
      checkpoint.hash,
      checkpoint.signedAt,
    ].join('\n');
    const valid = verify(
      null,
      Buffer.from(message),
      createPublicKey(key!.publicKeyPem),
      Buffer.from(checkpoint.signature, 'base64'),
    );
    expect(valid).toBe(true);
  });

  it('names the first bad record after a superuser edits one', async () => {
    const tenant = await createTenant(api, ['admin']);
    for (const name of ['a', 'b', 'c']) {
      await call(api, 'POST', '/v1/api-keys', {
        token: tenant.token,
        body: { name, scopes: ['messages:read'] },
      });
    }
    await tamperAsSuperuser(
      api.config.database.url,
      `UPDATE audit_records SET actor_id = 'someone-else'
        WHERE organisation_id = $1 AND sequence = 2`,
      [tenant.organisationId],
    );

    const verified = await call<ChainVerification>(api, 'GET', '/v1/audit/verify', {
      token: tenant.token,
    });

    expect(verified.body.ok).toBe(false);
    expect(verified.body.firstBad).toMatchObject({ sequence: 2, reason: 'altered' });
  });

  it('shows no records or checkpoints of another organisation', async () => {
    const other = await createTenant(api, ['audit:read']);

    const page = await records(other);
    const byTarget = await records(other, `?actorId=${adminKeyId}`);
    const exported = await call<CheckpointExport>(api, 'GET', '/v1/audit/checkpoints', {
      token: other.token,
    });
    const verified = await call<ChainVerification>(api, 'GET', '/v1/audit/verify', {
      token: other.token,
    });

    // The tenant's own key creation is its only record.
    expect(page.body.data.map((record) => record.action)).toEqual(['api_key.created']);
    expect(byTarget.body.data).toEqual([]);
    expect(exported.body.checkpoints).toEqual([]);
    expect(verified.body).toMatchObject({ ok: true, records: 1 });
  });

  it('needs the audit:read scope (admin implies it)', async () => {
    const reader = await createTenant(api, ['messages:read']);

    const refused = await records(reader);

    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'insufficient_scope' });
  });

  it('answers 422 to a cursor it did not issue', async () => {
    const response = await records(admin, '?cursor=abc');

    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });

  describe('fails closed: without its audit record an action does not happen', () => {
    let tenant: Tenant;

    beforeEach(async () => {
      tenant = await createTenant(api, ['admin']);
      // A real write failure for this organisation only, as a full disk or a lost connection
      // would cause one.
      await api.dataSource.query(
        `ALTER TABLE audit_records ADD CONSTRAINT refuse_${tenant.organisationId.slice(0, 8)}
           CHECK (organisation_id <> '${tenant.organisationId}') NOT VALID`,
      );
    });

    afterEach(async () => {
      await api.dataSource.query(
        `ALTER TABLE audit_records DROP CONSTRAINT refuse_${tenant.organisationId.slice(0, 8)}`,
      );
    });

    it('creates no API key', async () => {
      const response = await call(api, 'POST', '/v1/api-keys', {
        token: tenant.token,
        body: { name: 'unaudited', scopes: ['messages:read'] },
      });
      const keys = await api.dataSource.query(
        `SELECT 1 FROM api_keys WHERE organisation_id = $1 AND name = 'unaudited'`,
        [tenant.organisationId],
      );

      expect(response.status).toBe(500);
      expect(keys).toHaveLength(0);
    });

    it('keeps the previous policy', async () => {
      const before = await call<{ methodOrder: string[] }>(api, 'GET', '/v1/policy', {
        token: tenant.token,
      });
      const response = await call(api, 'PUT', '/v1/policy', {
        token: tenant.token,
        body: { ...before.body, methodOrder: ['portal'] },
      });
      const stored = await api.dataSource.query(
        `SELECT 1 FROM encryption_policies WHERE organisation_id = $1`,
        [tenant.organisationId],
      );

      expect(response.status).toBe(500);
      expect(stored).toHaveLength(0);
    });

    it('shows no message', async () => {
      const sent = await call<{ id: string }>(api, 'POST', '/v1/messages', {
        token: tenant.token,
        body: aMessageBody(),
      });

      const response = await call(api, 'GET', `/v1/messages/${sent.body.id}`, {
        token: tenant.token,
      });

      expect(sent.status).toBe(202);
      expect(response.status).toBe(500);
      expect(response.text).not.toContain('example.test');
    });
  });
});
