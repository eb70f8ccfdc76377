/**
 * Splits items into batches of at most `max` items sharing a key (an organisation, say),
 * keeping their order within each key: a job then serves one key with one statement.
 */
export function batchesByKey<T>(items: readonly T[], keyOf: (item: T) => string, max: number) {
  const open = new Map<string, T[]>();
  const batches: T[][] = [];
  for (const item of items) {
    const key = keyOf(item);
    let batch = open.get(key);
    if (!batch || batch.length >= max) {
      batch = [];
      open.set(key, batch);
      batches.push(batch);
    }
    batch.push(item);
  }
  return batches;
}
