import { createPrivateKey, randomBytes } from 'node:crypto';
import { OrganisationSmimeService } from '@sealpost/encryption';
import {
  issueIntermediateCa,
  issueSmimeCertificate,
  type SmimeCertificateRequest,
} from '@sealpost/encryption/testing';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const DAY_MS = 24 * 3600 * 1000;
const PATH = '/v1/organisation/smime/signing-certificate';

describe('organisation S/MIME signing certificate API', () => {
  let api: TestApi;
  let ca: TestCa;

  const identity = (ca_: TestCa, request: SmimeCertificateRequest = {}) =>
    issueSmimeCertificate(ca_, {
      address: `noreply-${randomBytes(3).toString('hex')}@clinic.example`,
      extendedKeyUsage: 'emailProtection',
      keyEncipherment: false,
      ...request,
    });
  const tenant = () => createTenant(api, ['keys:manage']);
  const put = (owner: Tenant, body: object) =>
    call<any>(api, 'PUT', PATH, { token: owner.token, body });
  const list = (owner: Tenant) =>
    call<any>(api, 'GET', '/v1/organisation/smime', { token: owner.token });

  beforeAll(async () => {
    api = await startTestApi();
    ca = createTestCa('Sealpost S/MIME Signing Test CA');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('stores certificate and chain, shows no key, and seals the key at rest', async () => {
    const owner = await tenant();
    const intermediate = issueIntermediateCa(ca);
    const { certPem, keyPem } = identity(intermediate);

    const reply = await put(owner, {
      certificate: certPem,
      chain: [intermediate.certPem],
      privateKey: keyPem,
    });
    const listed = await list(owner);
    const [row] = await api.dataSource.query(
      `SELECT private_ciphertext, private_key_id FROM organisation_keys
        WHERE organisation_id = $1 AND purpose = 'smime-signing'`,
      [owner.organisationId],
    );
    const pgp = await call<any>(api, 'GET', '/v1/organisation/pgp', { token: owner.token });

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ purpose: 'smime-signing' });
    expect(reply.body.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(reply.body.certificate.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(reply.text).not.toContain('PRIVATE KEY');
    expect(listed.body.data).toEqual([reply.body]);
    expect(row.private_key_id).toMatch(/^mk_/);
    expect(row.private_ciphertext.toString('latin1')).not.toContain('PRIVATE KEY');
    expect(pgp.body.data).toEqual([]);
  });

  it('hands delivery the unsealed signer while the certificate is valid, none after', async () => {
    const owner = await tenant();
    const { certPem, keyPem } = identity(ca);
    const pkcs1 = createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    await put(owner, { certificate: certPem, privateKey: pkcs1 });
    const service = api.app.get(OrganisationSmimeService);

    const now = await service.signerFor(owner.organisationId);
    const later = await service.signerFor(owner.organisationId, new Date(Date.now() + 60 * DAY_MS));

    expect(now?.certPem.replace(/\s/g, '')).toBe(certPem.replace(/\s/g, ''));
    expect(createPrivateKey(now?.keyPem ?? '').export({ type: 'pkcs1', format: 'pem' })).toEqual(
      pkcs1,
    );
    expect(later).toBeUndefined();
  });

  it.each([
    ['privateKey', 'key_mismatch', () => ({ ...identity(ca), keyPem: identity(ca).keyPem })],
    ['privateKey', 'malformed_key', () => ({ ...identity(ca), keyPem: 'not a key' })],
    [
      'certificate',
      'expired',
      () =>
        identity(ca, {
          notBefore: new Date(Date.now() - 10 * DAY_MS),
          notAfter: new Date(Date.now() - DAY_MS),
        }),
    ],
    [
      'certificate',
      'no_digital_signature',
      () => identity(ca, { digitalSignature: false, keyEncipherment: true }),
    ],
    [
      'certificate',
      'not_for_email_protection',
      () => identity(ca, { extendedKeyUsage: 'serverAuth' }),
    ],
  ])('refuses a %s problem (%s) with a reason and stores nothing', async (path, code, make) => {
    const owner = await tenant();
    const { certPem, keyPem } = make();

    const reply = await put(owner, { certificate: certPem, privateKey: keyPem });
    const listed = await list(owner);

    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      code: 'validation_failed',
      details: [{ path, message: code }],
    });
    expect(reply.text).not.toContain('PRIVATE KEY');
    expect(listed.body.data).toEqual([]);
  });

  it("does not show or delete one organisation's certificate for another", async () => {
    const owner = await tenant();
    const other = await tenant();
    const { certPem, keyPem } = identity(ca);
    await put(owner, { certificate: certPem, privateKey: keyPem });

    const theirs = await list(other);
    const foreign = await call<any>(api, 'DELETE', PATH, { token: other.token });
    const own = await call<any>(api, 'DELETE', PATH, { token: owner.token });
    const after = await list(owner);

    expect(theirs.body.data).toEqual([]);
    expect(foreign.status).toBe(404);
    expect(own.status).toBe(204);
    expect(after.body.data).toEqual([]);
  });

  it('requires the keys:manage scope', async () => {
    const sender = await createTenant(api, ['messages:send']);
    const reply = await call<any>(api, 'GET', '/v1/organisation/smime', { token: sender.token });
    expect(reply.status).toBe(403);
  });
});
