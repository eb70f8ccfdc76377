import { Test, type TestingModule } from '@nestjs/testing';
import { type AuthContext, CoreModule, ErrorCode, OrganisationsService } from '@sealpost/core';
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
import { AcceptMessageOnce } from './accept-message-once';

describe('AcceptMessageOnce (real PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let once: AcceptMessageOnce;
  let caller: AuthContext;

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(testConfig(database.url), MESSAGING_ENTITIES), MessagingModule],
    }).compile();
    dataSource = moduleRef.get(DataSource);
    once = moduleRef.get(AcceptMessageOnce);
    caller = await aCaller(moduleRef.get(OrganisationsService));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  const count = async (sql: string, params: unknown[]) =>
    Number((await dataSource.query<{ count: string }[]>(sql, params))[0].count);

  it('writes the message, a row per recipient, its event and outbox rows in one go', async () => {
    const command = aSendMessageCommand({ to: [anAddress()], bcc: [anAddress()] });

    const { message, replayed } = await once.execute(caller, command, {
      key: `k-${randomToken()}`,
      requestHash: 'h',
    });

    const [stored] = await dataSource.query<{ created_at: Date }[]>(
      'SELECT created_at FROM messages WHERE id = $1 AND organisation_id = $2',
      [message.id, caller.organisationId],
    );
    expect(replayed).toBe(false);
    expect(message.createdAt).toBe(stored.created_at.toISOString());
    expect(message.recipients.map((r) => r.kind)).toEqual(['to', 'bcc']);
    expect(
      await count('SELECT count(*) FROM message_recipients WHERE message_id = $1', [message.id]),
    ).toBe(2);
    expect(
      await count(
        `SELECT count(*) FROM outbox o JOIN message_recipients r ON r.id = o.ref_id
          WHERE r.message_id = $1`,
        [message.id],
      ),
    ).toBe(2);
    expect(
      await count(`SELECT count(*) FROM message_events WHERE message_id = $1`, [message.id]),
    ).toBe(1);
  });

  it('answers the same key with the first message, also when both arrive at once', async () => {
    const key = { key: `k-${randomToken()}`, requestHash: 'same' };
    const command = aSendMessageCommand();
    const before = await count('SELECT count(*) FROM messages WHERE organisation_id = $1', [
      caller.organisationId,
    ]);

    const results = await Promise.all([1, 2, 3].map(() => once.execute(caller, command, key)));

    expect(new Set(results.map((result) => result.message.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(
      await count('SELECT count(*) FROM messages WHERE organisation_id = $1', [
        caller.organisationId,
      ]),
    ).toBe(before + 1);
  });

  it('refuses the same key with other content and writes nothing', async () => {
    const key = `k-${randomToken()}`;
    await once.execute(caller, aSendMessageCommand(), { key, requestHash: 'first' });
    const messages = () =>
      count('SELECT count(*) FROM messages WHERE organisation_id = $1', [caller.organisationId]);
    const before = await messages();

    const second = once.execute(caller, aSendMessageCommand(), { key, requestHash: 'other' });

    await expect(second).rejects.toMatchObject({ code: ErrorCode.IdempotencyKeyReused });
    expect(await messages()).toBe(before);
  });
});
