import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueIntermediateCa, issueSmimeCertificate } from '@sealpost/encryption/testing';
import { createTestCa, type TestCa } from '@sealpost/test-peers';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

// Mapped to a closed loopback port so the preview never asks DNS about a test domain.
const DOMAIN = 'smime-ca.test';
const address = () => `doctor.${randomBytes(4).toString('hex')}@${DOMAIN}`;

describe('recipient S/MIME certificates API with a CA bundle', () => {
  let api: TestApi;
  let tenant: Tenant;
  let other: Tenant;
  let trusted: TestCa;
  let stranger: TestCa;
  let dir: string;

  beforeAll(async () => {
    trusted = createTestCa('Trusted S/MIME CA');
    stranger = createTestCa('Unknown S/MIME CA');
    dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-ca-'));
    const caFile = join(dir, 'smime-ca.pem');
    writeFileSync(caFile, trusted.certPem);
    api = await startTestApi({
      SEALPOST_SMIME_CA_FILE: caFile,
      SEALPOST_TRANSPORT_MAP: `${DOMAIN}=127.0.0.1:9`,
    });
    tenant = await createTenant(api, ['keys:manage', 'messages:send']);
    other = await createTenant(api, ['keys:manage']);
  });

  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (token: string, owner: string, certificate: string) =>
    call<any>(api, 'POST', '/v1/certificates/smime', {
      token,
      body: { address: owner, certificate },
    });

  it('stores a certificate chaining to the bundle via an intermediate sent with it', async () => {
    const owner = address();
    const intermediate = issueIntermediateCa(trusted);
    const { certPem } = issueSmimeCertificate(intermediate, { address: owner });

    const stored = await upload(tenant.token, owner, certPem + intermediate.certPem);
    const mine = await call<any>(api, 'GET', `/v1/certificates/smime?address=${owner}`, {
      token: tenant.token,
    });
    const theirs = await call<any>(api, 'GET', '/v1/certificates/smime', { token: other.token });

    expect(stored.status).toBe(201);
    expect(mine.body.data).toEqual([stored.body]);
    expect(theirs.body.data).toEqual([]);
  });

  it('refuses a certificate not chaining to the bundle, storing nothing', async () => {
    const owner = address();
    const intermediate = issueIntermediateCa(trusted);
    const strangers = issueSmimeCertificate(stranger, { address: owner }).certPem;
    const withoutIntermediate = issueSmimeCertificate(intermediate, { address: owner }).certPem;

    const replies = [
      await upload(tenant.token, owner, strangers),
      await upload(tenant.token, owner, withoutIntermediate),
    ];
    const listed = await call<any>(api, 'GET', `/v1/certificates/smime?address=${owner}`, {
      token: tenant.token,
    });

    for (const reply of replies) {
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({
        code: 'validation_failed',
        message: 'The certificate does not chain to a trusted certificate authority.',
        details: [{ path: 'certificate', message: 'untrusted_chain' }],
      });
      expect(reply.text).not.toContain(owner);
    }
    expect(listed.body.data).toEqual([]);
  });

  it('does not use a stored certificate that no longer chains, and says why', async () => {
    const owner = address();
    const { certPem } = issueSmimeCertificate(stranger, { address: owner });
    // As if stored before the bundle was configured: the upload check is not the only one.
    await api.dataSource.query(
      `INSERT INTO recipient_certificates
         (organisation_id, address, fingerprint, pem, not_after, capabilities)
       VALUES ($1, $2, $3, $4, now() + interval '1 day', '{}')`,
      [tenant.organisationId, owner, randomBytes(32).toString('hex'), certPem],
    );

    const preview = await call<any>(api, 'POST', '/v1/policy/preview', {
      token: tenant.token,
      body: { from: 'clinic@sender.test', recipients: [owner], subject: 'Results' },
    });

    expect(preview.status).toBe(200);
    expect(preview.body.recipients[0].method).not.toBe('smime');
    expect(preview.body.recipients[0].reasons).toContain(
      'S/MIME certificate does not chain to a trusted CA',
    );
  });
});
