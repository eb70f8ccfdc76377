import { randomBytes } from 'node:crypto';
import { type AuditEntry, AuditLog, createDataSource, EnvelopeCipher } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { generateKey } from 'openpgp';
import { type DataSource } from 'typeorm';
import { OrganisationKeysService } from './organisation-keys.service';

class CountingAuditLog extends AuditLog {
  readonly entries: AuditEntry[] = [];

  append(_tx: unknown, entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    return Promise.resolve();
  }
}

describe('OrganisationKeysService for delivery (real PostgreSQL)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let service: OrganisationKeysService;

  const newOrganisation = async (): Promise<string> => {
    const [row] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO organisations (name) VALUES ($1) RETURNING id`,
      [`org-${randomBytes(6).toString('hex')}`],
    );
    return row.id;
  };
  const callerOf = (organisationId: string) => ({ organisationId, scopes: ['admin' as const] });

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await createDataSource(database.url, []).initialize();
    service = new OrganisationKeysService(
      dataSource,
      new EnvelopeCipher(randomBytes(32)),
      new CountingAuditLog(),
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('serves copies asking together with one read, each organisation its own keys', async () => {
    const [withKeys, without] = [await newOrganisation(), await newOrganisation()];
    const archive = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'archive@clinic.test' }],
    });
    await service.setArchiveKey(callerOf(withKeys), archive.publicKey);
    await service.generateSigningKey(
      callerOf(withKeys),
      { name: 'Clinic', email: 'clinic@clinic.test' },
      'curve25519-legacy',
    );
    const reads = jest.spyOn(dataSource, 'query');

    const [first, second, other] = await Promise.all([
      service.forDelivery(withKeys),
      service.forDelivery(withKeys),
      service.forDelivery(without),
    ]);

    expect(first.archiveKey).toBe(archive.publicKey);
    expect(first.signingKey?.armored).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    expect(second).toEqual(first);
    expect(other).toEqual({});
    expect(reads).toHaveBeenCalledTimes(2);
    reads.mockRestore();
  });

  it('keeps no copy between batches: a removed key is gone for the next one', async () => {
    const organisationId = await newOrganisation();
    const archive = await generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'archive@clinic.test' }],
    });
    await service.setArchiveKey(callerOf(organisationId), archive.publicKey);
    expect((await service.forDelivery(organisationId)).archiveKey).toBe(archive.publicKey);

    await service.remove(callerOf(organisationId), 'pgp-archive');

    expect(await service.forDelivery(organisationId)).toEqual({});
  });
});
