import { randomUUID } from 'node:crypto';
import { type ErrorBody } from '@sealpost/core';
import { type AcceptedMessage, type MessagePage, type MessageView } from '@sealpost/messaging';
import { aMessageBody, anAddress, type MessageBody, randomToken } from '../testing/message-body';
import {
  type ApiResponse,
  call,
  createTenant,
  startTestApi,
  type Tenant,
  type TestApi,
} from '../testing/test-api';

// Small limits so the limit checks are cheap to reach.
const MAX_RECIPIENTS = 5;
const MAX_MESSAGE_BYTES = 2048;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('messages API (real PostgreSQL)', () => {
  let api: TestApi;
  let orgA: Tenant;
  let orgB: Tenant;

  beforeAll(async () => {
    api = await startTestApi({
      SEALPOST_MAX_RECIPIENTS: String(MAX_RECIPIENTS),
      SEALPOST_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    });
    orgA = await createTenant(api);
    orgB = await createTenant(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  const send = (tenant: Tenant, body: unknown, headers?: Record<string, string>) =>
    call<AcceptedMessage>(api, 'POST', '/v1/messages', { token: tenant.token, body, headers });

  const list = (tenant: Tenant, query: Record<string, string>) =>
    call<MessagePage>(api, 'GET', `/v1/messages?${new URLSearchParams(query).toString()}`, {
      token: tenant.token,
    });

  async function sendOk(tenant: Tenant, body: MessageBody): Promise<AcceptedMessage> {
    const response = await send(tenant, body);
    expect(response.status).toBe(202);
    return response.body;
  }

  function expectError(response: ApiResponse<unknown>, status: number, code: string): void {
    const body = response.body as Partial<ErrorBody> | undefined;
    expect({ status: response.status, code: body?.code }).toEqual({ status, code });
    expect(typeof body?.message).toBe('string');
    expect(body?.errorId).toMatch(UUID);
  }

  async function countRows(sql: string, params: unknown[]): Promise<number> {
    const [row] = await api.dataSource.query<{ count: string }[]>(sql, params);
    return Number(row.count);
  }

  describe('POST /v1/messages', () => {
    it('accepts a message with 202, its id and one entry per recipient', async () => {
      const [to1, to2, cc, bcc] = [anAddress(), anAddress(), anAddress(), anAddress()];
      const body = aMessageBody({ to: [to1, to2], cc: [cc], bcc: [bcc] });

      const response = await send(orgA, body);

      expect(response.status).toBe(202);
      expect(response.body.id).toMatch(UUID);
      expect(response.body.status).toBe('accepted');
      expect(response.body.recipients.map((r) => [r.kind, r.address]).sort()).toEqual(
        [
          ['to', to1],
          ['to', to2],
          ['cc', cc],
          ['bcc', bcc],
        ].sort(),
      );
    });

    it('stores content encrypted: neither subject nor body appear in the ciphertext', async () => {
      const body = aMessageBody({ html: `<p>Diagnosis ${randomToken()}</p>` });

      const { id } = await sendOk(orgA, body);

      const [row] = await api.dataSource.query<{ content_ciphertext: Buffer }[]>(
        'SELECT content_ciphertext FROM messages WHERE id = $1',
        [id],
      );
      expect(row.content_ciphertext.length).toBeGreaterThan(0);
      for (const secret of [body.subject, body.text ?? '', body.html ?? '']) {
        expect(row.content_ciphertext.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      }
    });

    it('records the accepted event and one outbox row per recipient before answering', async () => {
      const message = await sendOk(orgA, aMessageBody({ to: [anAddress(), anAddress()] }));

      const events = await api.dataSource.query<{ type: string }[]>(
        'SELECT type FROM message_events WHERE message_id = $1',
        [message.id],
      );
      const outbox = await api.dataSource.query<{ ref_id: string; topic: string }[]>(
        'SELECT ref_id, topic FROM outbox WHERE ref_id = ANY($1::uuid[])',
        [message.recipients.map((r) => r.id)],
      );
      expect(events).toEqual([{ type: 'accepted' }]);
      expect(outbox.map((row) => row.ref_id).sort()).toEqual(
        message.recipients.map((r) => r.id).sort(),
      );
      expect(outbox.every((row) => row.topic === 'delivery')).toBe(true);
    });

    it('answers 401 without an API key', async () => {
      const response = await call(api, 'POST', '/v1/messages', { body: aMessageBody() });

      expectError(response, 401, 'unauthenticated');
    });

    it('answers 401 with an API key that does not exist', async () => {
      const forged = `sp_${'0'.repeat(16)}_${'A'.repeat(43)}`;

      const response = await send({ ...orgA, token: forged }, aMessageBody());

      expectError(response, 401, 'unauthenticated');
    });

    it('answers 403 when the key lacks the messages:send scope', async () => {
      const reader = await createTenant(api, ['messages:read']);

      const response = await send(reader, aMessageBody());

      expectError(response, 403, 'insufficient_scope');
    });

    it('answers 400 invalid_json to a body that is not JSON', async () => {
      const response = await call(api, 'POST', '/v1/messages', {
        token: orgA.token,
        rawBody: '{"from": "clinic@example.org", ',
      });

      expectError(response, 400, 'invalid_json');
    });

    it('answers 422 to a bad address without echoing the address', async () => {
      const bad = `not-an-address-${randomToken()}@@example.test`;

      const response = await send(orgA, aMessageBody({ to: [bad] }));

      expectError(response, 422, 'validation_failed');
      expect(response.text).not.toContain(bad);
    });

    it('answers 422 to a property the API does not know', async () => {
      const response = await send(orgA, aMessageBody({ priority: 'urgent' }));

      expectError(response, 422, 'validation_failed');
    });

    it('answers 422 when both text and html are missing', async () => {
      const body = aMessageBody();
      delete body.text;

      const response = await send(orgA, body);

      expectError(response, 422, 'validation_failed');
    });

    it('answers 422 too_many_recipients above the configured maximum', async () => {
      const to = Array.from({ length: MAX_RECIPIENTS + 1 }, () => anAddress());

      const atLimit = await send(orgA, aMessageBody({ to: to.slice(1) }));
      const overLimit = await send(orgA, aMessageBody({ to }));

      expect(atLimit.status).toBe(202);
      expectError(overLimit, 422, 'too_many_recipients');
    });

    it('answers 413 when the message content exceeds the configured size', async () => {
      const response = await send(orgA, aMessageBody({ text: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }));

      expectError(response, 413, 'payload_too_large');
    });

    it('answers 413 when the raw body exceeds the body parser limit', async () => {
      const response = await send(orgA, aMessageBody({ text: 'x'.repeat(200 * 1024) }));

      expectError(response, 413, 'payload_too_large');
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the first response to a retry with the same body', async () => {
      const body = aMessageBody({ tags: [`idem-${randomToken()}`] });
      const headers = { 'Idempotency-Key': randomUUID() };

      const first = await send(orgA, body, headers);
      const retry = await send(orgA, body, headers);

      expect(first.status).toBe(202);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(retry.status).toBe(202);
      expect(retry.body.id).toBe(first.body.id);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      const stored = await countRows('SELECT count(*) FROM messages WHERE $1 = ANY(tags)', [
        body.tags?.[0],
      ]);
      expect(stored).toBe(1);
    });

    it('answers 409 to the same key with a different body', async () => {
      const headers = { 'Idempotency-Key': randomUUID() };

      const first = await send(orgA, aMessageBody(), headers);
      const reused = await send(orgA, aMessageBody(), headers);

      expect(first.status).toBe(202);
      expectError(reused, 409, 'idempotency_key_reused');
    });

    it('keeps the keys of different organisations apart', async () => {
      const headers = { 'Idempotency-Key': randomUUID() };

      const ofA = await send(orgA, aMessageBody(), headers);
      const ofB = await send(orgB, aMessageBody(), headers);

      expect(ofB.status).toBe(202);
      expect(ofB.headers.get('idempotent-replayed')).toBeNull();
      expect(ofB.body.id).not.toBe(ofA.body.id);
    });

    it('stores one message for two concurrent identical requests', async () => {
      const body = aMessageBody({ tags: [`race-${randomToken()}`] });
      const headers = { 'Idempotency-Key': randomUUID() };

      const [one, two] = await Promise.all([send(orgA, body, headers), send(orgA, body, headers)]);

      expect([one.status, two.status]).toEqual([202, 202]);
      expect(two.body.id).toBe(one.body.id);
      const stored = await countRows('SELECT count(*) FROM messages WHERE $1 = ANY(tags)', [
        body.tags?.[0],
      ]);
      expect(stored).toBe(1);
    });
  });

  describe('GET /v1/messages/:id', () => {
    it('returns a message to its own organisation', async () => {
      const { id } = await sendOk(orgA, aMessageBody());

      const response = await call<MessageView>(api, 'GET', `/v1/messages/${id}`, {
        token: orgA.token,
      });

      expect(response.status).toBe(200);
      expect(response.body.id).toBe(id);
      expect(response.body.events.map((event) => event.type)).toEqual(['accepted']);
    });

    it('answers 404 for a message of another organisation', async () => {
      const { id } = await sendOk(orgA, aMessageBody());

      const response = await call(api, 'GET', `/v1/messages/${id}`, { token: orgB.token });

      expectError(response, 404, 'not_found');
    });

    it('answers 404 for an id that is not a uuid', async () => {
      const response = await call(api, 'GET', '/v1/messages/not-a-uuid', { token: orgA.token });

      expectError(response, 404, 'not_found');
    });
  });

  describe('GET /v1/messages', () => {
    it('does not list messages of another organisation', async () => {
      const tag = `tenancy-${randomToken()}`;
      const { id } = await sendOk(orgA, aMessageBody({ tags: [tag] }));

      const ofA = await list(orgA, { tag });
      const ofB = await list(orgB, { limit: '200' });

      expect(ofA.body.data.map((m) => m.id)).toEqual([id]);
      expect(ofB.status).toBe(200);
      expect(ofB.body.data.map((m) => m.id)).not.toContain(id);
    });

    it('filters by tag', async () => {
      const tag = `tag-${randomToken()}`;
      const tagged = await sendOk(orgA, aMessageBody({ tags: [tag, 'other'] }));
      await sendOk(orgA, aMessageBody({ tags: ['other'] }));

      const response = await list(orgA, { tag });

      expect(response.body.data.map((m) => m.id)).toEqual([tagged.id]);
    });

    it('filters by exact recipient address', async () => {
      const address = anAddress();
      const wanted = await sendOk(orgA, aMessageBody({ to: [anAddress()], cc: [address] }));
      await sendOk(orgA, aMessageBody());

      const response = await list(orgA, { recipient: address });

      expect(response.body.data.map((m) => m.id)).toEqual([wanted.id]);
    });

    it('filters by recipient status', async () => {
      const tag = `status-${randomToken()}`;
      const pending = await sendOk(orgA, aMessageBody({ tags: [tag] }));
      const delivered = await sendOk(orgA, aMessageBody({ tags: [tag] }));
      await api.dataSource.query(
        `UPDATE message_recipients SET status = 'delivered' WHERE message_id = $1`,
        [delivered.id],
      );

      const response = await list(orgA, { tag, status: 'accepted' });

      expect(response.body.data.map((m) => m.id)).toEqual([pending.id]);
    });

    it('filters by creation time', async () => {
      const tag = `time-${randomToken()}`;
      const recent = await sendOk(orgA, aMessageBody({ tags: [tag] }));
      const old = await sendOk(orgA, aMessageBody({ tags: [tag] }));
      await api.dataSource.query(
        `UPDATE messages SET created_at = now() - interval '2 hours' WHERE id = $1`,
        [old.id],
      );

      const createdAfter = new Date(Date.now() - 3600_000).toISOString();
      const response = await list(orgA, { tag, createdAfter });

      expect(response.body.data.map((m) => m.id)).toEqual([recent.id]);
    });

    it('pages through every message exactly once with the cursor', async () => {
      const tag = `page-${randomToken()}`;
      const created: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        created.push((await sendOk(orgA, aMessageBody({ tags: [tag] }))).id);
      }

      const seen: string[] = [];
      const cursors: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const query: Record<string, string> = { tag, limit: '2', ...(cursor ? { cursor } : {}) };
        const page = await list(orgA, query);
        expect(page.status).toBe(200);
        seen.push(...page.body.data.map((m) => m.id));
        cursor = page.body.nextCursor;
        cursors.push(cursor);
      } while (cursor && cursors.length < 10);

      expect(seen).toHaveLength(5);
      expect([...seen].sort()).toEqual([...created].sort());
      expect(cursors).toEqual([expect.any(String), expect.any(String), null]);
    });

    it('answers 422 to a cursor it did not issue', async () => {
      const response = await list(orgA, { cursor: 'not-a-cursor' });

      expectError(response, 422, 'validation_failed');
    });
  });

  it('answers every error with code, message and errorId', async () => {
    const errors: ApiResponse<ErrorBody>[] = await Promise.all([
      call<ErrorBody>(api, 'GET', '/v1/messages'),
      call<ErrorBody>(api, 'GET', `/v1/messages/${randomUUID()}`, { token: orgA.token }),
      call<ErrorBody>(api, 'POST', '/v1/messages', { token: orgA.token, rawBody: '[' }),
      call<ErrorBody>(api, 'POST', '/v1/messages', { token: orgA.token, body: {} }),
    ]);

    for (const response of errors) {
      expect(Object.keys(response.body).sort()).toEqual(
        expect.arrayContaining(['code', 'errorId', 'message']),
      );
      expect(response.body.errorId).toMatch(UUID);
    }
    expect(new Set(errors.map((response) => response.body.errorId)).size).toBe(errors.length);
  });
});
