import { Test, type TestingModule } from '@nestjs/testing';
import { type AuthContext, CoreModule, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { DataSource } from 'typeorm';
import { MESSAGING_ENTITIES } from '../index';
import { MessagingModule } from '../messaging.module';
import {
  aCaller,
  anAddress,
  aSendMessageCommand,
  randomToken,
  testConfig,
} from '../testing/messaging-test-kit';
import { AcceptMessageBatch, type BatchItem } from './accept-message-batch';

describe('AcceptMessageBatch (real PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let batch: AcceptMessageBatch;
  let caller: AuthContext;

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(testConfig(database.url), MESSAGING_ENTITIES), MessagingModule],
    }).compile();
    dataSource = moduleRef.get(DataSource);
    batch = moduleRef.get(AcceptMessageBatch);
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  const anItem = (key = `key-${randomToken()}`, subject = `Subject ${randomToken()}`) => ({
    prepared: batch.prepare(caller.organisationId, aSendMessageCommand({ subject })),
    idempotencyKey: key,
    requestHash: `hash-${key}`,
  });
  const acceptAll = (items: BatchItem[]) =>
    dataSource.transaction((manager) => batch.acceptIn(manager, caller.organisationId, items));
  const rowsOf = async (messageId: string) => {
    const [row] = await dataSource.query<
      { recipients: number; events: number; outbox: number; ciphertext: Buffer }[]
    >(
      `SELECT (SELECT count(*)::int FROM message_recipients WHERE message_id = m.id)
                AS recipients,
              (SELECT count(*)::int FROM message_events
                WHERE message_id = m.id AND type = 'accepted') AS events,
              (SELECT count(*)::int FROM outbox o JOIN message_recipients r ON r.id = o.ref_id
                WHERE r.message_id = m.id) AS outbox,
              m.content_ciphertext AS ciphertext
         FROM messages m WHERE m.organisation_id = $1 AND m.id = $2`,
      [caller.organisationId, messageId],
    );
    return row;
  };

  it('accepts several messages: recipients, event, outbox rows, sealed content', async () => {
    const two = {
      ...anItem(),
      prepared: batch.prepare(
        caller.organisationId,
        aSendMessageCommand({ to: [anAddress(), anAddress()], subject: 'Two of them' }),
      ),
    };
    const items = [anItem(undefined, 'Only one'), two];

    const accepted = await acceptAll(items);

    expect(accepted.map((message) => message.id)).toEqual(items.map((item) => item.prepared.id));
    expect(accepted[1].recipients).toHaveLength(2);
    const [first, second] = [await rowsOf(accepted[0].id), await rowsOf(accepted[1].id)];
    expect(first).toMatchObject({ recipients: 1, events: 1, outbox: 1 });
    expect(second).toMatchObject({ recipients: 2, events: 1, outbox: 2 });
    expect(second.ciphertext.toString('latin1')).not.toContain('Two of them');
  });

  it('gives a key seen before its first message back and writes nothing new', async () => {
    const key = `key-${randomToken()}`;
    const [first] = await acceptAll([anItem(key)]);

    const [again, fresh] = await acceptAll([anItem(key), anItem()]);

    expect(again).toEqual(first);
    expect(fresh.id).not.toBe(first.id);
    const [{ count }] = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM messages WHERE organisation_id = $1
          AND id NOT IN (SELECT (response_body ->> 'id')::uuid FROM idempotency_keys
                          WHERE organisation_id = $1 AND response_body IS NOT NULL)`,
      [caller.organisationId],
    );
    expect(count).toBe(0);
  });

  it('leaves no message and no key when the caller rolls back; the key is free again', async () => {
    const key = `key-${randomToken()}`;
    const lost = anItem(key);

    await expect(
      dataSource.transaction(async (manager) => {
        await batch.acceptIn(manager, caller.organisationId, [lost]);
        throw new Error('the step failed after the accept');
      }),
    ).rejects.toThrow('the step failed');
    const [accepted] = await acceptAll([anItem(key)]);

    expect(await rowsOf(lost.prepared.id)).toBeUndefined();
    expect(accepted.id).not.toBe(lost.prepared.id);
    expect(await rowsOf(accepted.id)).toMatchObject({ recipients: 1, outbox: 1 });
  });

  it('refuses a message the checks refuse before anything is written', () => {
    expect(() =>
      batch.prepare(caller.organisationId, aSendMessageCommand({ to: ['not an address'] })),
    ).toThrow(expect.objectContaining({ code: 'validation_failed' }) as Error);
  });
});
