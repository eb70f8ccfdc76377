import { randomBytes } from 'node:crypto';
import { call, createTenant, startTestApi, type Tenant, type TestApi } from '../testing/test-api';

const email = () => `patient.${randomBytes(4).toString('hex')}@example.net`;

describe('contacts CSV import API', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });

  afterAll(async () => {
    await api?.close();
  });

  async function tenantWithFields(): Promise<Tenant> {
    const tenant = await createTenant(api, ['contacts:read', 'contacts:write']);
    for (const [key, type] of [
      ['visits', 'number'],
      ['birthday', 'date'],
      ['appointment_at', 'datetime'],
    ]) {
      await call(api, 'POST', '/v1/contact-fields', { token: tenant.token, body: { key, type } });
    }
    return tenant;
  }

  const upload = (tenant: Tenant, csv: string, query = '') =>
    call<any>(api, 'POST', `/v1/contacts/import${query}`, {
      token: tenant.token,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    });

  const emails = async (tenant: Tenant): Promise<string[]> => {
    const page = await call<any>(api, 'GET', '/v1/contacts?limit=500', { token: tenant.token });
    return page.body.data.map((contact: { email: string }) => contact.email).sort();
  };

  it('imports the valid lines and reports each rejected line with its reason', async () => {
    const tenant = await tenantWithFields();
    const good = [email(), email(), email()];
    const secret = 'jane.doe.secret';
    const csv = [
      'email,name,time_zone,unsubscribed,visits,birthday,appointment_at',
      `${good[0]},Ann,America/Chicago,,3,1980-02-29,2026-03-01T09:30:00-06:00`,
      `${secret},Bad Address,,,,,`,
      `${email()},Bad Zone,Mars/${secret},,,,`,
      `${email()},Bad Flag,,${secret},,,`,
      `${email()},Bad Number,,,${secret},,`,
      `${email()},Bad Date,,,,1981-02-29,`,
      `${email()},Bad Datetime,,,,,2026-03-01 09:30`,
      `${email()},Too few`,
      ',No Email,,,,,',
      `"${good[1]}","Multi`,
      `line name",UTC,no,,,`,
      `${good[0].toUpperCase()},Repeat,,,,,`,
      '',
      `${good[2]},Last,,yes,,,`,
    ].join('\n');

    const reply = await upload(tenant, csv);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      mode: 'valid-rows',
      rows: 12,
      imported: 3,
      created: 3,
      updated: 0,
      rejected: 9,
      rolledBack: false,
      rejectedLines: [
        { line: 3, reason: 'email: must be a valid email address' },
        { line: 4, reason: 'time_zone: must be an IANA time zone such as Europe/Berlin' },
        { line: 5, reason: 'unsubscribed: must be true, false, yes, no, 1 or 0' },
        { line: 6, reason: 'visits: must be a number' },
        { line: 7, reason: 'birthday: must be a date as YYYY-MM-DD' },
        {
          line: 8,
          reason:
            'appointment_at: must be an ISO 8601 date-time with an offset, such as ' +
            '2026-03-01T09:30:00Z',
        },
        { line: 9, reason: 'has 2 values where the header has 7 columns' },
        { line: 10, reason: 'email: is required' },
        { line: 13, reason: 'email: the same address as line 2' },
      ],
    });
    expect(reply.text).not.toContain(secret);
    expect(await emails(tenant)).toEqual([...good].sort());
  });

  it('reports malformed CSV with the lines it could not read', async () => {
    const tenant = await tenantWithFields();
    const first = email();
    const csv = ['email,name', `${first},Ann`, `${email()},"broken"x`, ''].join('\n');

    const reply = await upload(tenant, csv);

    expect(reply.body.imported).toBe(1);
    expect(reply.body.rejected).toBeGreaterThanOrEqual(1);
    expect(reply.body.rejectedLines[0]).toEqual({
      line: 3,
      reason: expect.stringContaining('malformed CSV'),
    });
    expect(await emails(tenant)).toEqual([first]);
  });

  it('imports nothing in all-or-nothing mode when any line is rejected, and says so', async () => {
    const tenant = await tenantWithFields();
    const csv = ['email,visits', `${email()},1`, `${email()},two`].join('\n');

    const reply = await upload(tenant, csv, '?mode=all-or-nothing');

    expect(reply.body).toMatchObject({
      mode: 'all-or-nothing',
      rows: 2,
      imported: 0,
      rejected: 1,
      rolledBack: true,
      rejectedLines: [{ line: 3, reason: 'visits: must be a number' }],
    });
    expect(await emails(tenant)).toEqual([]);
  });

  it('imports everything in all-or-nothing mode when every line is valid', async () => {
    const tenant = await tenantWithFields();
    const addresses = [email(), email()];

    const reply = await upload(
      tenant,
      ['email,visits', `${addresses[0]},1`, `${addresses[1]},2`].join('\r\n'),
      '?mode=all-or-nothing',
    );

    expect(reply.body).toMatchObject({ imported: 2, rejected: 0, rolledBack: false });
    expect(await emails(tenant)).toEqual([...addresses].sort());
  });

  it('updates existing contacts by email and keeps what the file leaves out', async () => {
    const tenant = await tenantWithFields();
    const address = email();
    const created = await call<any>(api, 'POST', '/v1/contacts', {
      token: tenant.token,
      body: { email: address, name: 'Ann', unsubscribed: true, fields: { visits: 1 } },
    });

    const reply = await upload(tenant, ['email,visits', `${address},7`].join('\n'));
    const read = await call<any>(api, 'GET', `/v1/contacts/${created.body.id}`, {
      token: tenant.token,
    });

    expect(reply.body).toMatchObject({ imported: 1, created: 0, updated: 1 });
    expect(read.body).toMatchObject({
      name: 'Ann',
      fields: { visits: 7 },
      unsubscribedAt: created.body.unsubscribedAt,
    });
  });

  it('refuses a file whose header has an unknown column, importing nothing', async () => {
    const tenant = await tenantWithFields();

    const reply = await upload(tenant, ['email,shoe_size', `${email()},44`].join('\n'));

    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      code: 'validation_failed',
      details: [
        {
          path: 'columns[1]',
          message: '"shoe_size" is neither a contact attribute nor a declared contact field',
        },
      ],
    });
    expect(await emails(tenant)).toEqual([]);
  });

  it('refuses an empty file and a body that is not text/csv', async () => {
    const tenant = await tenantWithFields();

    const empty = await upload(tenant, '');
    const json = await call<any>(api, 'POST', '/v1/contacts/import', {
      token: tenant.token,
      body: { email: email() },
    });

    expect(empty.status).toBe(422);
    expect(empty.body.details).toEqual([{ path: 'file', message: 'has no header line' }]);
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('unsupported_media_type');
  });

  it('imports into the caller organisation only', async () => {
    const tenant = await tenantWithFields();
    const other = await tenantWithFields();
    const address = email();

    await upload(tenant, ['email', address].join('\n'));

    expect(await emails(tenant)).toEqual([address]);
    expect(await emails(other)).toEqual([]);
  });

  it('imports a file larger than one batch', async () => {
    const tenant = await tenantWithFields();
    const lines = Array.from(
      { length: 1203 },
      (_, i) => `bulk.${i}.${randomBytes(3).toString('hex')}@example.net,${i}`,
    );

    const reply = await upload(tenant, ['email,visits', ...lines].join('\n'));
    const count = await api.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM contacts WHERE organisation_id = $1`,
      [tenant.organisationId],
    );

    expect(reply.body).toMatchObject({ rows: 1203, imported: 1203, rejected: 0 });
    expect(count[0].n).toBe(1203);
  });
});
