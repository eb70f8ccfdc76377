import { randomBytes } from 'node:crypto';
import { dropDatabase } from '../database/ensure-database';
import { migrateDatabase } from '../database/migrate';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test suite, so suites never see each other's rows or
 * a developer's running instance. Call drop() in afterAll.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(server);
  url.pathname = `/sealpost_test_${randomBytes(6).toString('hex')}`;
  await migrateDatabase(url.href);
  return { url: url.href, drop: () => dropDatabase(url.href) };
}
