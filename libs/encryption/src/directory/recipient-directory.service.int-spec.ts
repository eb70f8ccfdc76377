import { randomBytes } from 'node:crypto';
import { createDataSource, loadConfig, type SealpostConfig } from '@sealpost/core';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import { generateKey, readKey } from 'openpgp';
import { type DataSource } from 'typeorm';
import { FakeClock } from '../tls-probe/testing/fake-clock';
import { LoopbackWkdServer } from '../wkd/testing/loopback-wkd-server';
import { WkdLookupService } from '../wkd/wkd-lookup.service';
import { wkdUrls } from '../wkd/wkd-url';
import { VerifiedPgpKeys } from '../pgp/verified-pgp-keys';
import { RecipientDirectoryService } from './recipient-directory.service';

const newKey = (address: string) =>
  generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email: address }] });

describe('RecipientDirectoryService with WKD (real PostgreSQL, loopback HTTPS)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let ca: TestCa;
  let wkdServer: LoopbackWkdServer;
  let organisationId: string;

  const address = () =>
    `patient.${randomBytes(4).toString('hex')}@wkd-${randomBytes(3).toString('hex')}.test`;
  const configWith = (wkd: 'on' | 'off'): SealpostConfig =>
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_WKD_LOOKUP: wkd,
    });
  const directory = (wkd: 'on' | 'off') =>
    new RecipientDirectoryService(
      dataSource,
      configWith(wkd),
      new WkdLookupService(wkdServer.client([ca.certPem]), new FakeClock()),
      new VerifiedPgpKeys(),
    );
  const publish = async (owner: string) => {
    const key = await newKey(owner);
    const url = wkdUrls(owner).advanced;
    wkdServer.publish(url, {
      status: 200,
      body: (await readKey({ armoredKey: key.publicKey })).write(),
    });
    return { key, url };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await createDataSource(database.url, []).initialize();
    ca = createTestCa('Sealpost WKD Test CA');
    wkdServer = await LoopbackWkdServer.start(ca);
    const [row] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO organisations (name) VALUES ($1) RETURNING id`,
      [`org-${randomBytes(6).toString('hex')}`],
    );
    organisationId = row.id;
  });

  afterAll(async () => {
    await wkdServer?.close();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('uses a key from WKD when none is stored, and says so', async () => {
    const owner = address();
    const { key } = await publish(owner);

    const { pgp } = await directory('on').lookup(organisationId, owner);

    expect(pgp).toMatchObject({ usable: true, reason: 'PGP key from WKD' });
    const found = pgp.usable ? await readKey({ armoredKey: pgp.material }) : undefined;
    expect(found?.getFingerprint()).toBe(
      (await readKey({ armoredKey: key.publicKey })).getFingerprint(),
    );
  });

  it('prefers a stored key and does not ask WKD', async () => {
    const owner = address();
    const { url } = await publish(owner);
    const stored = await newKey(owner);
    const storedKey = await readKey({ armoredKey: stored.publicKey });
    await dataSource.query(
      `INSERT INTO recipient_pgp_keys (organisation_id, address, fingerprint, armored)
       VALUES ($1, $2, $3, $4)`,
      [organisationId, owner, storedKey.getFingerprint().toUpperCase(), stored.publicKey],
    );

    const { pgp } = await directory('on').lookup(organisationId, owner);

    expect(pgp).toEqual({ usable: true, material: stored.publicKey });
    expect(wkdServer.requestsFor(url)).toBe(0);
  });

  it('records both why no key is stored and why WKD had none', async () => {
    const owner = address();
    wkdServer.publish(wkdUrls(owner).advanced, { status: 404 });

    const { pgp } = await directory('on').lookup(organisationId, owner);

    expect(pgp).toEqual({ usable: false, reason: 'no PGP key; WKD: no key published' });
  });

  it('never asks WKD when the lookup is switched off', async () => {
    const owner = address();
    const { url } = await publish(owner);

    const { pgp } = await directory('off').lookup(organisationId, owner);

    expect(pgp).toEqual({ usable: false, reason: 'no PGP key' });
    expect(wkdServer.requestsFor(url)).toBe(0);
  });

  it('answers lookups made together, across organisations, each with its own keys', async () => {
    const [other] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO organisations (name) VALUES ($1) RETURNING id`,
      [`org-${randomBytes(6).toString('hex')}`],
    );
    const withKey = address();
    const withoutKey = address();
    const stored = await newKey(withKey);
    const fingerprint = (await readKey({ armoredKey: stored.publicKey })).getFingerprint();
    await dataSource.query(
      `INSERT INTO recipient_pgp_keys (organisation_id, address, fingerprint, armored)
       VALUES ($1, $2, $3, $4)`,
      [organisationId, withKey, fingerprint.toUpperCase(), stored.publicKey],
    );
    const service = directory('off');
    const pool = (dataSource.driver as unknown as { master: { query: () => unknown } }).master;
    const queries = jest.spyOn(pool, 'query');

    const [mine, none, theirs] = await Promise.all([
      service.lookup(organisationId, withKey),
      service.lookup(organisationId, withoutKey),
      service.lookup(other.id, withKey),
    ]);

    expect(mine.pgp).toEqual({ usable: true, material: stored.publicKey });
    expect(none.pgp).toEqual({ usable: false, reason: 'no PGP key' });
    expect(theirs.pgp).toEqual({ usable: false, reason: 'no PGP key' });
    // One query per organisation, not one per lookup.
    expect(queries).toHaveBeenCalledTimes(2);
    queries.mockRestore();
  });
});
