import { randomUUID } from 'node:crypto';
import { type ErrorBody } from '@sealpost/core';
import { type SuppressionPage, type SuppressionView } from '@sealpost/messaging';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

interface AuditRow {
  action: string;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
}

const anAddress = () => `Patient.${randomUUID().slice(0, 8)}@Mail.example`;

describe('Suppression list API (real app, PostgreSQL)', () => {
  let api: TestApi;
  let admin: Tenant;

  beforeAll(async () => {
    api = await startTestApi();
    admin = await createTenant(api, ['admin']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const add = (owner: Tenant, address: string) =>
    call<SuppressionView & ErrorBody>(api, 'POST', '/v1/suppressions', {
      token: owner.token,
      body: { address },
    });
  const list = (owner: Tenant, query = '') =>
    call<SuppressionPage & ErrorBody>(api, 'GET', `/v1/suppressions${query}`, {
      token: owner.token,
    });
  const remove = (owner: Tenant, address: string) =>
    call<ErrorBody>(api, 'DELETE', `/v1/suppressions/${encodeURIComponent(address)}`, {
      token: owner.token,
    });

  function auditOf(targetId: string): Promise<AuditRow[]> {
    return api.dataSource.query<AuditRow[]>(
      `SELECT action, target_type, target_id, details FROM audit_records
        WHERE organisation_id = $1 AND target_id = $2 ORDER BY sequence`,
      [admin.organisationId, targetId],
    );
  }

  it('adds an address by hand, lower-cased, audited without the address', async () => {
    const address = anAddress();

    const added = await add(admin, address);
    const again = await add(admin, address.toLowerCase());
    const invalid = await add(admin, 'not an address');

    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      address: address.toLowerCase(),
      reason: 'manual',
      statusCode: null,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_exists');
    expect(invalid.status).toBe(422);
    const records = await auditOf(added.body.id);
    expect(records).toEqual([
      {
        action: 'suppression.added',
        target_type: 'suppression',
        target_id: added.body.id,
        details: { reason: 'manual', statusCode: null },
      },
    ]);
    expect(JSON.stringify(records)).not.toContain('mail.example');
  });

  it('lists newest first in pages, with hard bounces and their status code', async () => {
    const owner = await createTenant(api, ['admin']);
    const bounced = anAddress().toLowerCase();
    // Set up as ReceiveBounceUseCase writes a hard bounce (see bounces.int-spec.ts).
    await api.dataSource.query(
      `INSERT INTO suppressions (id, organisation_id, address, reason, status_code, created_at)
       VALUES ($1, $2, $3, 'hard_bounce', '5.1.1', now() - interval '1 hour')`,
      [randomUUID(), owner.organisationId, bounced],
    );
    const manual = [anAddress(), anAddress()];
    for (const address of manual) {
      expect((await add(owner, address)).status).toBe(201);
    }

    const first = await list(owner, '?limit=2');
    const second = await list(owner, `?limit=2&cursor=${first.body.nextCursor}`);
    const badCursor = await list(owner, '?cursor=bm90LWEtY3Vyc29y');

    expect(first.status).toBe(200);
    expect(first.body.data.map((entry) => entry.address)).toEqual(
      manual.map((address) => address.toLowerCase()).reverse(),
    );
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(first.body.nextCursor).not.toContain('mail.example');
    expect(second.body.data).toEqual([
      expect.objectContaining({ address: bounced, reason: 'hard_bounce', statusCode: '5.1.1' }),
    ]);
    expect(second.body.nextCursor).toBeNull();
    expect(badCursor.status).toBe(422);
  });

  it('removes an address whatever its case, audited; a second removal is 404', async () => {
    const address = anAddress();
    const added = await add(admin, address);

    const removed = await remove(admin, address.toUpperCase());
    const twice = await remove(admin, address);
    const listed = await list(admin, '?limit=200');

    expect(removed.status).toBe(204);
    expect(twice.status).toBe(404);
    expect(twice.body.code).toBe('not_found');
    expect(twice.body.message).not.toContain('mail.example');
    expect(listed.body.data.map((entry) => entry.id)).not.toContain(added.body.id);
    expect((await auditOf(added.body.id)).map((record) => record.action)).toEqual([
      'suppression.added',
      'suppression.removed',
    ]);
  });

  it("neither shows nor removes another organisation's entries", async () => {
    const address = anAddress();
    const added = await add(admin, address);
    const other = await createTenant(api, ['admin']);

    const theirList = await list(other);
    const theirRemoval = await remove(other, address);
    const ourList = await list(admin, '?limit=200');

    expect(theirList.body.data).toEqual([]);
    expect(theirRemoval.status).toBe(404);
    expect(ourList.body.data.map((entry) => entry.id)).toContain(added.body.id);
  });

  it('lets a reader list but not change the list', async () => {
    const reader = await createTenant(api, ['messages:read']);
    const address = anAddress();
    await add(admin, address);

    expect((await list(reader)).status).toBe(200);
    expect((await add(reader, anAddress())).status).toBe(403);
    expect((await remove(reader, address)).status).toBe(403);
  });
});
