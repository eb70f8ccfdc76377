import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';

/**
 * A statement on the hot path of every message. Run through `queryPrepared`, each pooled
 * connection parses and plans it once instead of on every call: for the multi-table CTEs of
 * accept and delivery that planning costs PostgreSQL about a third of the statement's CPU.
 */
export interface PreparedStatement {
  /** Unique per text: a connection refuses a known name with a different text. */
  readonly name: string;
  readonly text: string;
}

export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name, text };
}

/**
 * Runs a prepared statement outside any transaction, on the data source's own pool. Inside a
 * transaction use the EntityManager's `query` with the statement's text.
 */
export async function queryPrepared<T>(
  dataSource: DataSource,
  statement: PreparedStatement,
  params: unknown[],
): Promise<T[]> {
  // TypeORM keeps its pg pool as the driver's `master`; it exposes no named statements.
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query<T & object>({
    name: statement.name,
    text: statement.text,
    values: params,
  });
  return result.rows;
}
