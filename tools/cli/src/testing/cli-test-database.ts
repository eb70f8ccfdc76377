import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@sealpost/core/testing';

export interface CliTestDatabase {
  database: TestDatabase;
  /** The environment a command reads, as `npx sealpost` would get it. */
  env: Record<string, string>;
}

/** A fresh, migrated database and the environment that points a CLI command at it. */
export async function createCliTestDatabase(): Promise<CliTestDatabase> {
  const database = await createTestDatabase();
  return {
    database,
    env: {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      SEALPOST_MASTER_KEY: randomBytes(32).toString('base64'),
      SEALPOST_LOG_LEVEL: 'silent',
    },
  };
}
