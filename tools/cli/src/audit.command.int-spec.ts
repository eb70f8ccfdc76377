import { randomBytes } from 'node:crypto';
import { tamperAsSuperuser } from '@sealpost/audit/testing';
import { type TestDatabase } from '@sealpost/core/testing';
import { verifyAuditCommand } from './audit.command';
import { withContext } from './cli-context';
import { createCliTestDatabase } from './testing/cli-test-database';

describe('sealpost audit verify (real PostgreSQL)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const org = `clinic-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ({ database, env } = await createCliTestDatabase());
    await withContext(async ({ organisations, apiKeys }) => {
      const organisation = await organisations.create(org);
      for (const name of ['one', 'two', 'three']) {
        await apiKeys.create(organisation.id, name, ['messages:read']);
      }
    }, env);
  });

  afterAll(() => database?.drop());

  async function verifyPrinting(options: { json?: boolean } = {}) {
    const lines: string[] = [];
    const code = await verifyAuditCommand({ org, ...options }, env, (line) => lines.push(line));
    return { code, lines };
  }

  it('prints ok and exits 0 for an intact chain', async () => {
    const { code, lines } = await verifyPrinting();

    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ok: audit chain of clinic-\w+ verified \(3 records, 0 checkpoints/);
  });

  it('names the first bad record and exits 1 once a record was changed', async () => {
    await tamperAsSuperuser(
      database.url,
      `UPDATE audit_records SET action = 'api_key.revoked'
        WHERE sequence = 2 AND organisation_id = (SELECT id FROM organisations WHERE name = $1)`,
      [org],
    );

    const { code, lines } = await verifyPrinting();
    const json = await verifyPrinting({ json: true });

    expect(code).toBe(1);
    expect(lines[0]).toBe(
      `BROKEN: audit chain of ${org} fails at record 2 (altered): ` +
        'record 2 was changed after it was written',
    );
    expect(JSON.parse(json.lines[0])).toMatchObject({
      ok: false,
      firstBad: { sequence: 2, reason: 'altered' },
    });
  });

  it('refuses an organisation that does not exist', async () => {
    await expect(
      verifyAuditCommand({ org: 'no-such-org' }, env, () => undefined),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
