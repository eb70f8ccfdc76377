import { randomUUID } from 'node:crypto';
import { type ErrorBody } from '@sealpost/core';
import { type MessageEventPage, type MessageEventView } from '@sealpost/messaging';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

interface Sent {
  messageId: string;
  recipientId: string;
  address: string;
}

describe('Message event search (real app, PostgreSQL)', () => {
  let api: TestApi;
  let tenant: Tenant;
  let other: Tenant;
  const workflowId = randomUUID();
  let plain: Sent;
  let tagged: Sent;
  let fromWorkflow: Sent;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, ['messages:send', 'messages:read']);
    other = await createTenant(api, ['messages:send', 'messages:read']);
    plain = await send(tenant, { from: 'desk@north.example' });
    tagged = await send(tenant, { from: 'lab@north.example', tags: ['results'] });
    fromWorkflow = await send(tenant, {
      from: 'desk@north.example',
      tags: ['workflow'],
      metadata: { workflowId },
    });
    await send(other, { from: 'desk@north.example', to: plain.address });
    // What the worker and tracking would record: delivery by a method, then an open.
    await settle(plain, 'tls');
    await settle(tagged, 'pgp');
    await api.dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
       VALUES ($1, $2, $3, 'opened', '{}')`,
      [tenant.organisationId, tagged.messageId, tagged.recipientId],
    );
  });

  afterAll(async () => {
    await api?.close();
  });

  async function send(owner: Tenant, fields: Record<string, unknown>): Promise<Sent> {
    const address = (fields.to as string | undefined) ?? `p-${randomUUID()}@mail.example`;
    const response = await call<{ id: string; recipients: { id: string }[] }>(
      api,
      'POST',
      '/v1/messages',
      {
        token: owner.token,
        body: { subject: 'Hello', text: 'A note.', ...fields, to: [address] },
      },
    );
    expect(response.status).toBe(202);
    return {
      messageId: response.body.id,
      recipientId: response.body.recipients[0].id,
      address,
    };
  }

  async function settle(sent: Sent, method: string): Promise<void> {
    await api.dataSource.query(
      `UPDATE message_recipients SET status = 'delivered', method = $2 WHERE id = $1`,
      [sent.recipientId, method],
    );
    await api.dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, recipient_id, type, data)
       VALUES ($1, $2, $3, 'delivered', '{}')`,
      [tenant.organisationId, sent.messageId, sent.recipientId],
    );
  }

  async function search(query: Record<string, string>, owner: Tenant = tenant) {
    const response = await call<MessageEventPage>(
      api,
      'GET',
      `/v1/message-events?${new URLSearchParams(query).toString()}`,
      { token: owner.token },
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  const kinds = (events: MessageEventView[]) =>
    events.map((event) => `${event.messageId}:${event.type}`).sort();

  it('finds events by recipient, sender, type, method, status, tag and workflow', async () => {
    const byRecipient = await search({ recipient: plain.address });
    const bySender = await search({ sender: 'lab@north.example' });
    const opened = await search({ type: 'opened' });
    const byMethod = await search({ method: 'pgp' });
    const byStatus = await search({ status: 'accepted' });
    const byTag = await search({ tag: 'results' });
    const byWorkflow = await search({ workflowId });

    expect(kinds(byRecipient.data)).toEqual(
      [`${plain.messageId}:accepted`, `${plain.messageId}:delivered`].sort(),
    );
    expect(byRecipient.data[0]).toMatchObject({ recipient: plain.address, method: 'tls' });
    expect(new Set(bySender.data.map((event) => event.messageId))).toEqual(
      new Set([tagged.messageId]),
    );
    expect(kinds(opened.data)).toEqual([`${tagged.messageId}:opened`]);
    expect(new Set(byMethod.data.map((event) => event.messageId))).toEqual(
      new Set([tagged.messageId]),
    );
    expect(byMethod.data).toHaveLength(3);
    expect(kinds(byStatus.data)).toEqual([`${fromWorkflow.messageId}:accepted`]);
    expect(byTag.data.every((event) => event.tags.includes('results'))).toBe(true);
    expect(kinds(byWorkflow.data)).toEqual([`${fromWorkflow.messageId}:accepted`]);
    expect(byWorkflow.data[0].workflowId).toBe(workflowId);
  });

  it('pages newest first with a cursor, every event once', async () => {
    const everything = await search({ limit: '200' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: MessageEventPage = await search({ limit: '2', ...(cursor ? { cursor } : {}) });
      seen.push(...page.data.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor);

    expect(everything.data).toHaveLength(6);
    expect(seen).toEqual(everything.data.map((event) => event.id));
    const times = everything.data.map((event) => Date.parse(event.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('keeps to a date range', async () => {
    const all = await search({ limit: '200' });
    const future = await search({ from: new Date(Date.now() + 60_000).toISOString() });
    const past = await search({ to: new Date(Date.parse(all.data.at(-1)!.at)).toISOString() });

    expect(future.data).toEqual([]);
    expect(past.data).toEqual([]);
  });

  it("never shows another organisation's events, even for the same address", async () => {
    const theirs = await search({ recipient: plain.address }, other);
    const ours = await search({ recipient: plain.address });

    expect(theirs.data).toHaveLength(1);
    expect(theirs.data[0].type).toBe('accepted');
    expect(theirs.data[0].messageId).not.toBe(plain.messageId);
    expect(ours.data.every((event) => event.messageId === plain.messageId)).toBe(true);
  });

  it('refuses a forged cursor and a bad method, and needs messages:read', async () => {
    const forged = await call<ErrorBody>(api, 'GET', '/v1/message-events?cursor=abc', {
      token: tenant.token,
    });
    const badMethod = await call<ErrorBody>(api, 'GET', '/v1/message-events?method=fax', {
      token: tenant.token,
    });
    const sender = await createTenant(api, ['messages:send']);
    const refused = await call(api, 'GET', '/v1/message-events', { token: sender.token });

    expect(forged.status).toBe(422);
    expect(badMethod.status).toBe(422);
    expect(refused.status).toBe(403);
  });
});
