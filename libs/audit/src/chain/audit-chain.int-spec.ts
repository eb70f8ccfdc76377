import { randomBytes, randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { AuditLog, CoreModule, createDataSource, OrganisationsService } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditModule } from '../audit.module';
import { AuditCheckpointer } from '../checkpoints/audit-checkpointer';
import { AuditSigningKeys } from '../checkpoints/audit-signing-keys.service';
import { CheckpointSweeper } from '../jobs/checkpoint-sweeper';
import { MessageEventChainer } from '../jobs/message-event-chainer';
import { AuditRecordsQuery } from '../records/audit-records.query';
import {
  anEntry,
  anOrganisation,
  auditTestConfig,
  tamperAsSuperuser,
} from '../testing/audit-test-kit';
import { AuditChainVerifier } from '../verification/audit-chain-verifier.service';
import { ChainedAuditLog } from './chained-audit-log';
import { recordHash } from './canonical-record';

const CHECKPOINT_EVERY = 5;

describe('audit chain (real PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let dataSource: DataSource;
  let auditLog: ChainedAuditLog;
  let verifier: AuditChainVerifier;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = auditTestConfig(database.url, {
      SEALPOST_AUDIT_CHECKPOINT_EVERY: String(CHECKPOINT_EVERY),
      SEALPOST_AUDIT_CHECKPOINT_MINUTES: '10',
    });
    moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config, []), AuditModule],
      providers: [MessageEventChainer, CheckpointSweeper],
    }).compile();
    dataSource = moduleRef.get(DataSource);
    auditLog = moduleRef.get(ChainedAuditLog);
    verifier = moduleRef.get(AuditChainVerifier);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  async function orgWithRecords(count: number): Promise<string> {
    const organisationId = await anOrganisation(moduleRef.get(OrganisationsService));
    for (let index = 0; index < count; index += 1) {
      await dataSource.transaction((tx) => auditLog.append(tx, anEntry(organisationId, index)));
    }
    return organisationId;
  }

  it('links appends into one chain, signs a checkpoint every N records, and verifies', async () => {
    const organisationId = await orgWithRecords(12);

    const result = await verifier.verify(organisationId);

    expect(result).toMatchObject({ ok: true, records: 12, checkpoints: 2, firstBad: null });
    const checkpoints = await dataSource.query<{ sequence: string }[]>(
      `SELECT sequence FROM audit_checkpoints WHERE organisation_id = $1 ORDER BY sequence`,
      [organisationId],
    );
    expect(checkpoints.map((row) => Number(row.sequence))).toEqual([5, 10]);
  });

  it('binds the AuditLog port to the chain', () => {
    expect(moduleRef.get(AuditLog)).toBe(auditLog);
  });

  describe('tampering by a database superuser is found at the first bad record', () => {
    it('an updated record', async () => {
      const organisationId = await orgWithRecords(8);
      await tamperAsSuperuser(
        database.url,
        `UPDATE audit_records SET details = '{"version": 99}'
          WHERE organisation_id = $1 AND sequence = 3`,
        [organisationId],
      );

      const result = await verifier.verify(organisationId);

      expect(result.ok).toBe(false);
      expect(result.firstBad).toMatchObject({ sequence: 3, reason: 'altered' });
    });

    it('a deleted record', async () => {
      const organisationId = await orgWithRecords(8);
      await tamperAsSuperuser(
        database.url,
        `DELETE FROM audit_records WHERE organisation_id = $1 AND sequence = 4`,
        [organisationId],
      );

      const result = await verifier.verify(organisationId);

      expect(result.firstBad).toMatchObject({ sequence: 4, reason: 'missing' });
    });

    it('two swapped records', async () => {
      const organisationId = await orgWithRecords(8);
      const move = (from: number, to: number) =>
        `UPDATE audit_records SET sequence = ${to}
          WHERE organisation_id = '${organisationId}' AND sequence = ${from}`;
      await tamperAsSuperuser(database.url, [move(6, 1000), move(7, 6), move(1000, 7)].join(';'));

      const result = await verifier.verify(organisationId);

      expect(result.firstBad).toMatchObject({ sequence: 6, reason: 'broken_link' });
    });

    it('deleted newest records, found through the chain head', async () => {
      const organisationId = await orgWithRecords(8);
      await tamperAsSuperuser(
        database.url,
        `DELETE FROM audit_records WHERE organisation_id = $1 AND sequence >= 7`,
        [organisationId],
      );

      const result = await verifier.verify(organisationId);

      expect(result.firstBad).toMatchObject({ sequence: 7, reason: 'missing' });
    });

    it('a chain rewritten with fresh hashes, found by the signed checkpoint', async () => {
      const organisationId = await orgWithRecords(6);
      await rewriteFrom(organisationId, 2);

      const result = await verifier.verify(organisationId);

      expect(result.firstBad).toMatchObject({ sequence: 5, reason: 'checkpoint_mismatch' });
    });

    it('a forged checkpoint', async () => {
      const organisationId = await orgWithRecords(6);
      await tamperAsSuperuser(
        database.url,
        `UPDATE audit_checkpoints SET signed_at = signed_at + interval '1 second'
          WHERE organisation_id = $1 AND sequence = 5`,
        [organisationId],
      );

      const result = await verifier.verify(organisationId);

      expect(result.firstBad).toMatchObject({
        sequence: 5,
        reason: 'checkpoint_signature_invalid',
      });
    });
  });

  /** Changes record `from` and re-links every later record, as a careful forger would. */
  async function rewriteFrom(organisationId: string, from: number): Promise<void> {
    const rows = await dataSource.query<
      {
        sequence: string;
        recorded_at: Date;
        actor_type: 'api_key';
        actor_id: string;
        action: string;
        target_type: string;
        target_id: string;
        outcome: 'success';
        details: Record<string, number>;
        previous_hash: Buffer;
      }[]
    >(`SELECT * FROM audit_records WHERE organisation_id = $1 ORDER BY sequence`, [organisationId]);
    let previousHash = rows[from - 2].previous_hash;
    const statements: string[] = [];
    for (const row of rows.slice(from - 2)) {
      const details = Number(row.sequence) === from ? { version: 1000 } : row.details;
      const hash = recordHash({
        organisationId,
        sequence: Number(row.sequence),
        recordedAt: row.recorded_at,
        actor: { type: row.actor_type, id: row.actor_id },
        action: row.action,
        target: { type: row.target_type, id: row.target_id },
        outcome: row.outcome,
        details,
        previousHash,
      });
      statements.push(
        `UPDATE audit_records SET details = '${JSON.stringify(details)}',
           previous_hash = '\\x${previousHash.toString('hex')}', hash = '\\x${hash.toString('hex')}'
         WHERE organisation_id = '${organisationId}' AND sequence = ${row.sequence}`,
      );
      previousHash = hash;
    }
    await tamperAsSuperuser(database.url, statements.join(';\n'));
  }

  describe('the application connection cannot change audit rows', () => {
    it.each([
      ['UPDATE', `UPDATE audit_records SET action = 'x' WHERE organisation_id = $1`],
      ['DELETE', `DELETE FROM audit_records WHERE organisation_id = $1`],
      ['TRUNCATE', `TRUNCATE audit_records`],
    ])('%s is refused with insufficient_privilege', async (_verb, sql) => {
      const organisationId = await orgWithRecords(2);

      await expect(
        dataSource.query(sql, sql.includes('$1') ? [organisationId] : []),
      ).rejects.toMatchObject({ code: '42501' });
      expect((await verifier.verify(organisationId)).records).toBe(2);
    });

    it('nor can a non-superuser role, even one granted every privilege', async () => {
      const organisationId = await orgWithRecords(CHECKPOINT_EVERY);
      const role = `sealpost_app_${randomBytes(4).toString('hex')}`;
      await dataSource.query(`CREATE ROLE ${role} LOGIN`);
      try {
        await dataSource.query(`GRANT ALL ON audit_records, audit_checkpoints TO ${role}`);
        const url = new URL(database.url);
        url.username = role;
        const client = new Client({ connectionString: url.href });
        await client.connect();
        try {
          for (const sql of [
            `UPDATE audit_records SET action = 'x' WHERE organisation_id = $1`,
            `DELETE FROM audit_records WHERE organisation_id = $1`,
            `DELETE FROM audit_checkpoints WHERE organisation_id = $1`,
          ]) {
            await expect(client.query(sql, [organisationId])).rejects.toMatchObject({
              code: '42501',
            });
          }
          await expect(client.query('TRUNCATE audit_records')).rejects.toMatchObject({
            code: '42501',
          });
        } finally {
          await client.end();
        }
      } finally {
        await dataSource.query(`REVOKE ALL ON audit_records, audit_checkpoints FROM ${role}`);
        await dataSource.query(`DROP ROLE ${role}`);
      }
    });
  });

  it('keeps one chain when two processes append to one organisation at once', async () => {
    const organisationId = await anOrganisation(moduleRef.get(OrganisationsService));
    const other = createDataSource(database.url, []);
    await other.initialize();
    const otherLog = new ChainedAuditLog(
      moduleRef.get(AuditSigningKeys),
      moduleRef.get(AuditCheckpointer),
    );
    try {
      // Five transactions in flight per process: enough to contend for the head, few enough
      // connections for a PostgreSQL shared with other suites.
      const appendMany = (source: DataSource, log: ChainedAuditLog) =>
        Promise.all(
          Array.from({ length: 5 }, async () => {
            for (let index = 0; index < 8; index += 1) {
              await source.transaction((tx) => log.append(tx, anEntry(organisationId, index)));
            }
          }),
        );

      await Promise.all([appendMany(dataSource, auditLog), appendMany(other, otherLog)]);
    } finally {
      await other.destroy();
    }

    const result = await verifier.verify(organisationId);
    expect(result).toMatchObject({ ok: true, records: 80, lastSequence: 80 });
  });

  it('rolls the record back with the transaction it was written in', async () => {
    const organisationId = await orgWithRecords(1);

    await expect(
      dataSource.transaction(async (tx) => {
        await auditLog.append(tx, anEntry(organisationId));
        throw new Error('the action failed after its record');
      }),
    ).rejects.toThrow('the action failed');

    expect(await verifier.verify(organisationId)).toMatchObject({ ok: true, records: 1 });
  });

  it('refuses details that would not survive storage, writing nothing', async () => {
    const organisationId = await orgWithRecords(0);

    await expect(
      dataSource.transaction((tx) =>
        auditLog.append(tx, { ...anEntry(organisationId), details: { ratio: 0.5 } }),
      ),
    ).rejects.toMatchObject({ code: 'internal_error' });
    expect((await verifier.verify(organisationId)).records).toBe(0);
  });

  it('chains queued message events once, in order, per organisation', async () => {
    const organisationId = await orgWithRecords(1);
    const messageId = randomUUID();
    await dataSource.query(
      `INSERT INTO messages (id, organisation_id, from_address, content_ciphertext,
         content_wrapped_key, content_key_id, size_bytes)
       VALUES ($1, $2, 'clinic@example.test', '\\x00', '\\x00', 'k', 1)`,
      [messageId, organisationId],
    );
    await dataSource.query(
      `INSERT INTO message_events (organisation_id, message_id, type)
       SELECT $1, $2, type FROM unnest(ARRAY['accepted', 'delivered', 'opened', 'failed']) type`,
      [organisationId, messageId],
    );
    const chainer = moduleRef.get(MessageEventChainer);

    while ((await chainer.chainBatch(2)) > 0) {
      // Small batches: several transactions, as a busy worker would run them.
    }

    const page = await moduleRef
      .get(AuditRecordsQuery)
      .list(organisationId, { targetType: 'message', limit: 10 });
    expect(page.data.map((record) => [record.action, record.outcome]).reverse()).toEqual([
      ['message.accepted', 'success'],
      ['message.delivered', 'success'],
      ['message.opened', 'success'],
      ['message.failed', 'failure'],
    ]);
    expect(page.data.every((record) => record.target.id === messageId)).toBe(true);
    expect(await chainer.chainBatch()).toBe(0);
    expect((await verifier.verify(organisationId)).ok).toBe(true);
  });

  it('signs a quiet chain once its newest checkpoint is older than the set minutes', async () => {
    const organisationId = await orgWithRecords(2);
    const sweeper = moduleRef.get(CheckpointSweeper);

    await sweeper.sweep(new Date());
    const soon = await verifier.verify(organisationId);
    await sweeper.sweep(new Date(Date.now() + 11 * 60_000));
    const later = await verifier.verify(organisationId);

    expect(soon.checkpoints).toBe(0);
    expect(later).toMatchObject({ ok: true, checkpoints: 1 });
  });

  it('generates one signing key, stores its private half sealed, and reuses it', async () => {
    const first = await moduleRef.get(AuditSigningKeys).current();
    const [row] = await dataSource.query<{ id: string; private_ciphertext: Buffer }[]>(
      `SELECT id, private_ciphertext FROM audit_signing_keys WHERE generated`,
    );
    const seed = first.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);

    expect(row.id).toBe(first.keyId);
    expect(row.private_ciphertext.includes(seed)).toBe(false);
  });
});
