import { randomBytes, randomUUID } from 'node:crypto';
import { type TestDatabase } from '@sealpost/core/testing';
import { withContext } from './cli-context';
import { createCliTestDatabase } from './testing/cli-test-database';
import { googleRoutingCommand, type GoogleRoutingOptions } from './google.command';

describe('sealpost google routing (real PostgreSQL)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const org = `clinic-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ({ database, env } = await createCliTestDatabase());
    await withContext(async ({ organisations, dataSource }) => {
      const organisation = await organisations.create(org);
      // The connection as the API stores it; only its domain matters to the steps.
      await dataSource.query(
        `INSERT INTO google_workspace_connections (id, organisation_id, customer_id, domain,
           admin_subject, client_email, key_ciphertext, key_wrapped_key, key_key_id, push_auth)
         VALUES ($1, $2, 'my_customer', 'stmary.example', 'admin@stmary.example',
           'sa@p.iam.gserviceaccount.com', '\\x00', '\\x00', 'mk_test', 'oidc')`,
        [randomUUID(), organisation.id],
      );
    }, env);
  });

  afterAll(() => database?.drop());

  const run = async (options: Partial<GoogleRoutingOptions> = {}) => {
    const out: string[] = [];
    await googleRoutingCommand(
      { org, gatewayHost: 'gw.stmary.example', mode: 'subject', port: '2587', ...options },
      env,
      (text) => out.push(text),
    );
    return out.join('\n');
  };

  it("uses the organisation's policy tag and Workspace domain", async () => {
    const steps = await run();

    expect(steps).toContain(`Google Workspace routing for "${org}" (stmary.example)`);
    expect(steps).toContain('Match type: Contains text; Content: [secure]');
    expect(steps).toContain(`--org "${org}" --domains stmary.example`);
    expect(steps).toContain('Single host; gw.stmary.example, port 2587');
  });

  it('takes another tag and port, and routes all mail in all mode', async () => {
    const tagged = await run({ tag: '[phi]', port: '25' });
    const all = await run({ mode: 'all' });

    expect(tagged).toContain('Content: [phi]');
    expect(tagged).toContain('port 25');
    expect(all).not.toContain('Location: Subject');
    expect(all).toContain('Content: X-Sealpost-Gateway:');
  });

  it('refuses an unknown organisation and a host that is not fully qualified', async () => {
    await expect(run({ org: 'no-such-org' })).rejects.toThrow(/no organisation named/);
    await expect(run({ gatewayHost: 'gw' })).rejects.toThrow(/fully qualified/);
  });
});
