import { ApiKeysService } from '@sealpost/core';
import { DEFAULT_POLICY } from '@sealpost/encryption';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

interface Preview {
  recipients: { protectionRequired: boolean; protectionReasons: string[] }[];
}

describe('group rules over every synced directory (real PostgreSQL, policy preview)', () => {
  let api: TestApi;
  let org: Tenant;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    org = await createTenant(api, ['admin']);
    token = (
      await api.app
        .get(ApiKeysService)
        .create(org.organisationId, 'policy', ['policy:manage', 'messages:send'])
    ).token;
    // As the two directory syncs leave them: a Google group with a member, an Entra group with
    // a member, each of one organisation.
    await api.dataSource.query(
      `INSERT INTO google_directory_groups (organisation_id, google_id, email, digest)
       VALUES ($1, '03x1', 'nurses@clinic.example', 'd')`,
      [org.organisationId],
    );
    await api.dataSource.query(
      `INSERT INTO google_group_members
         (organisation_id, group_id, member_id, member_email, member_type, role)
       VALUES ($1, '03x1', 'u1', 'Nina@clinic.example', 'USER', 'MEMBER')`,
      [org.organisationId],
    );
    const [user] = await api.dataSource.query<{ id: string }[]>(
      `INSERT INTO m365_users (organisation_id, id, mail, user_principal_name, display_name,
         account_enabled)
       VALUES ($1, 'entra-user-1', 'dora@clinic.example', 'dora@clinic.example', 'Dora', true)
       RETURNING id`,
      [org.organisationId],
    );
    await api.dataSource.query(
      `INSERT INTO m365_group_members (organisation_id, group_id, user_id)
       VALUES ($1, 'entra-group-1', $2)`,
      [org.organisationId, user.id],
    );
  });

  afterAll(async () => {
    await api?.close();
  });

  const preview = (from: string) =>
    call<Preview>(api, 'POST', '/v1/policy/preview', {
      token,
      body: { from, recipients: ['p@patients.example'], subject: 'Hello', text: 'Hi' },
    });

  it('protects members of a Google group and of an Entra group the rule names', async () => {
    const policy = {
      ...DEFAULT_POLICY,
      protection: {
        ...DEFAULT_POLICY.protection,
        mode: 'rules',
        subjectTag: null,
        honourHeader: false,
        detectors: { ...DEFAULT_POLICY.protection.detectors, ssn: false, icd10: false },
        senderGroups: ['nurses@clinic.example', 'entra-group-1'],
      },
    };
    expect((await call(api, 'PUT', '/v1/policy', { token, body: policy })).status).toBe(200);

    const [google, microsoft, neither] = await Promise.all([
      preview('nina@clinic.example'),
      preview('Dora <dora@clinic.example>'),
      preview('otto@clinic.example'),
    ]);

    for (const member of [google, microsoft]) {
      expect(member.body.recipients[0]).toMatchObject({
        protectionRequired: true,
        protectionReasons: ['sender group rule'],
      });
    }
    expect(neither.body.recipients[0].protectionRequired).toBe(false);
  });
});
