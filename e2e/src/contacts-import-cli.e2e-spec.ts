import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';
import { Client } from 'pg';
import { REPO_ROOT } from './support/app-process';

const CLI = join(REPO_ROOT, 'tools', 'cli', 'bin', 'sealpost.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `sealpost contacts import` as a user runs it: the built CLI on a CSV file, against its own
 * database, with and without a terminal.
 */
describe('sealpost contacts import (CLI)', () => {
  let database: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let organisationId: string;
  const org = `clinic-${randomBytes(4).toString('hex')}`;

  const run = (command: string, args: string[]): Promise<CliRun> =>
    new Promise((resolve) => {
      execFile(command, args, { env }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      });
    });
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args]);
  const query = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const csvFile = (name: string, lines: string[]): string => {
    const path = join(dir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'sealpost-csv-'));
    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_DATA_DIR: dir,
      SEALPOST_LOG_LEVEL: 'silent',
    };
    const created = await cli('org', 'create', org, '--json');
    organisationId = (JSON.parse(created.stdout) as { id: string }).id;
    // No CLI command declares fields; the API does. Set one up directly.
    await query(
      `INSERT INTO contact_fields (organisation_id, key, type) VALUES ($1, 'visits', 'number')`,
      [organisationId],
    );
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('imports the valid lines, lists each rejected line and exits with status 2', async () => {
    const secret = `jane.${randomBytes(3).toString('hex')}`;
    const file = csvFile('mixed.csv', [
      'email,name,visits',
      'ann@example.net,Ann,3',
      `${secret},Broken,1`,
      'bob@example.net,Bob,many',
      'cy@example.net,Cy,',
    ]);

    const result = await cli('contacts', 'import', file, '--org', org);
    const stored = await query<{ email: string; fields: Record<string, unknown> }>(
      `SELECT email, fields FROM contacts WHERE organisation_id = $1 ORDER BY email`,
      [organisationId],
    );

    expect(result.code).toBe(2);
    expect(result.stdout).toBe(
      [
        'Imported 2 of 4 contacts (2 created, 0 updated); 2 lines rejected.',
        '  line 3: email: must be a valid email address',
        '  line 4: visits: must be a number',
        '',
      ].join('\n'),
    );
    // Not a terminal: no progress bar, no carriage returns.
    expect(result.stdout).not.toContain('\r');
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(stored).toEqual([
      { email: 'ann@example.net', fields: { visits: 3 } },
      { email: 'cy@example.net', fields: {} },
    ]);
  });

  it('prints the report as JSON and imports nothing with --all-or-nothing', async () => {
    const file = csvFile('strict.csv', ['email,visits', 'dee@example.net,1', 'eve@example.net,x']);

    const result = await cli(
      'contacts',
      'import',
      file,
      '--org',
      org,
      '--all-or-nothing',
      '--json',
    );
    const stored = await query(`SELECT 1 FROM contacts WHERE email = 'dee@example.net'`);

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      mode: 'all-or-nothing',
      imported: 0,
      rejected: 1,
      rolledBack: true,
      rejectedLines: [{ line: 3, reason: 'visits: must be a number' }],
    });
    expect(stored).toEqual([]);
  });

  it('shows a progress bar on a terminal and exits 0 when every line is valid', async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => `tty.${i}@example.net,${i}`);
    const file = csvFile('big.csv', ['email,visits', ...lines]);
    const command = [process.execPath, CLI, 'contacts', 'import', file, '--org', org].join(' ');

    // script(1) gives the CLI a pseudo-terminal, as an interactive shell would.
    const result = await run('script', ['-qec', command, '/dev/null']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\r\[#+-*\] +\d+% \d+ lines, \d+ imported, 0 rejected/);
    expect(result.stdout).toContain('Imported 1200 of 1200 contacts (1200 created, 0 updated)');
  });

  it('refuses a header with an unknown column, naming it, and imports nothing', async () => {
    const file = csvFile('header.csv', ['email,shoe_size', 'fay@example.net,44']);

    const result = await cli('contacts', 'import', file, '--org', org);
    const stored = await query(`SELECT 1 FROM contacts WHERE email = 'fay@example.net'`);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sealpost: The CSV header is not valid.');
    expect(result.stderr).toContain('"shoe_size" is neither a contact attribute');
    expect(stored).toEqual([]);
  });

  it('says so when the organisation does not exist', async () => {
    const file = csvFile('any.csv', ['email', 'gus@example.net']);

    const result = await cli('contacts', 'import', file, '--org', 'no-such-org');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no organisation named "no-such-org"');
  });
});
