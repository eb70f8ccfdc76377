import { randomBytes } from 'node:crypto';
import { generateOrganisationKey } from '@sealpost/encryption';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const address = () => `patient.${randomBytes(4).toString('hex')}@example.net`;

describe('recipient PGP key directory API', () => {
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

  it('stores a valid public key and lists it for its organisation only', async () => {
    const owner = address();
    const key = await generateOrganisationKey('Patient', owner, 'curve25519-legacy');

    const uploaded = await call<any>(api, 'POST', '/v1/keys/pgp', {
      token: tenant.token,
      body: { address: owner, armoredKey: key.publicArmored },
    });
    const mine = await call<any>(api, 'GET', `/v1/keys/pgp?address=${owner}`, {
      token: tenant.token,
    });
    const theirs = await call<any>(api, 'GET', '/v1/keys/pgp', { token: other.token });

    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ address: owner, fingerprint: key.fingerprint });
    expect(mine.body.data).toEqual([uploaded.body]);
    expect(theirs.body.data).toEqual([]);
  });

  it.each([
    ['malformed', () => Promise.resolve('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n')],
    [
      'not_public',
      async (owner: string) =>
        (await generateOrganisationKey('P', owner, 'curve25519-legacy')).privateArmored,
    ],
    [
      'address_mismatch',
      async () =>
        (await generateOrganisationKey('P', address(), 'curve25519-legacy')).publicArmored,
    ],
  ])('refuses a %s key with a reason and stores nothing', async (reason, make) => {
    const owner = address();
    const reply = await call<any>(api, 'POST', '/v1/keys/pgp', {
      token: tenant.token,
      body: { address: owner, armoredKey: await make(owner) },
    });
    const listed = await call<any>(api, 'GET', `/v1/keys/pgp?address=${owner}`, {
      token: tenant.token,
    });

    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'armoredKey', message: reason }],
    });
    expect(reply.text).not.toContain(owner);
    expect(listed.body.data).toEqual([]);
  });

  it("answers 404 when deleting another organisation's key", async () => {
    const owner = address();
    const key = await generateOrganisationKey('Patient', owner, 'curve25519-legacy');
    const uploaded = await call<any>(api, 'POST', '/v1/keys/pgp', {
      token: tenant.token,
      body: { address: owner, armoredKey: key.publicArmored },
    });

    const foreign = await call<any>(api, 'DELETE', `/v1/keys/pgp/${uploaded.body.id}`, {
      token: other.token,
    });
    const own = await call<any>(api, 'DELETE', `/v1/keys/pgp/${uploaded.body.id}`, {
      token: tenant.token,
    });

    expect(foreign.status).toBe(404);
    expect(own.status).toBe(204);
  });

  it('requires the keys:manage scope', async () => {
    const sender = await createTenant(api, ['messages:send']);
    const reply = await call<any>(api, 'GET', '/v1/keys/pgp', { token: sender.token });
    expect(reply.status).toBe(403);
  });
});
