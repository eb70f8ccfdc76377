import { Client } from 'pg';
import { createDataSource } from './data-source';
import { ensureDatabase } from './ensure-database';

// Any constant works; it only has to be the same in every Sealpost process.
const MIGRATION_LOCK_ID = 7_303_712;

/**
 * Creates the database if needed and applies pending migrations. An advisory lock keeps
 * processes that boot together (api and worker) from migrating at the same time.
 * Returns the names of the migrations applied.
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url });
  await lock.connect();
  const dataSource = createDataSource(url, []);
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    if (dataSource.isInitialized) {
      await dataSource.destroy();
    }
    await lock.end();
  }
}
