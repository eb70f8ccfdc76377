/**
 * TypeORM answers an UPDATE or DELETE with `[rows, rowCount]` instead of the rows alone; this
 * reads the rows its RETURNING clause produced.
 */
export function changedRows<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}
