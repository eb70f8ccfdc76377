import { randomBytes } from 'node:crypto';
import { type TestDatabase } from '@sealpost/core/testing';
import { withContext } from './cli-context';
import { createCliTestDatabase } from './testing/cli-test-database';
import { m365RoutingCommand } from './m365.command';

describe('sealpost m365 routing (real PostgreSQL)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const org = `clinic-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ({ database, env } = await createCliTestDatabase());
    await withContext(({ organisations }) => organisations.create(org), env);
  });

  afterAll(() => database?.drop());

  const run = async (mode: 'header' | 'subject' | 'all', name = org) => {
    const out: string[] = [];
    await m365RoutingCommand({ org: name, gatewayHost: 'gw.clinic.example', mode }, env, (text) =>
      out.push(text),
    );
    return out.join('\n');
  };

  it("uses the organisation's policy subject tag in subject mode", async () => {
    const script = await run('subject');

    expect(script).toContain(`# Sealpost: route outbound mail of ${org} through gw.clinic.example`);
    expect(script).toContain("-SubjectContainsWords '[secure]' `");
    expect(script).toContain("-ExceptIfHeaderContainsMessageHeader 'X-Sealpost-Gateway' `");
  });

  it('refuses an unknown organisation', async () => {
    await expect(run('all', 'no-such-org')).rejects.toThrow(/no organisation named/);
  });
});
