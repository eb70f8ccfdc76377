import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

describe('organisation PGP keys API', () => {
  let api: TestApi;
  let tenant: Tenant;
  let other: Tenant;

  beforeAll(async () => {
    api = await startTestApi();
    tenant = await createTenant(api, ['keys:manage']);
    other = await createTenant(api, ['keys:manage']);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('generates a signing key, shows its public half only, seals the private half', async () => {
    const reply = await call<any>(api, 'PUT', '/v1/organisation/pgp/signing-key', {
      token: tenant.token,
      body: { name: 'Example Clinic', email: 'secure@clinic.example' },
    });
    const [row] = await api.dataSource.query(
      `SELECT private_ciphertext, private_key_id FROM organisation_keys
        WHERE organisation_id = $1 AND purpose = 'pgp-signing'`,
      [tenant.organisationId],
    );

    expect(reply.status).toBe(200);
    expect(reply.body.publicKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(reply.text).not.toContain('PRIVATE KEY');
    expect(row.private_key_id).toMatch(/^mk_/);
    expect(row.private_ciphertext.toString('latin1')).not.toContain('PGP PRIVATE KEY');
  });

  it("does not show one organisation's keys to another", async () => {
    const theirs = await call<any>(api, 'GET', '/v1/organisation/pgp', { token: other.token });
    const removed = await call<any>(api, 'DELETE', '/v1/organisation/pgp/signing-key', {
      token: other.token,
    });

    expect(theirs.body.data).toEqual([]);
    expect(removed.status).toBe(404);
  });

  it('refuses an archive key that is not a usable public key', async () => {
    const reply = await call<any>(api, 'PUT', '/v1/organisation/pgp/archive-key', {
      token: tenant.token,
      body: { armoredKey: 'not a key' },
    });

    expect(reply.status).toBe(422);
    expect(reply.body.details).toEqual([{ path: 'armoredKey', message: 'malformed' }]);
  });
});
