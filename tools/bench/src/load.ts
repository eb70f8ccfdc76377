import { type SmtpSink } from '@sealpost/test-peers';

/**
 * Runs `task(0)` .. `task(count - 1)` with at most `concurrency` in flight, like a client with
 * a bounded connection pool. After a failure no new task starts and the first error is thrown.
 */
export async function runBounded(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next;
      next += 1;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => lane()));
}

/**
 * When `count` distinct messages have reached the sink (performance.now() time), or undefined
 * if they have not within `timeoutMs`. Duplicates do not count towards `count`.
 */
export async function arrivalOf(
  sink: SmtpSink,
  count: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let target = count;
  for (;;) {
    try {
      await sink.waitFor(target, Math.max(0, deadline - Date.now()));
    } catch {
      return undefined;
    }
    const at = performance.now();
    const unique = sink.messages.length - sink.duplicates();
    if (unique >= count) {
      return at;
    }
    target = sink.messages.length + (count - unique);
  }
}

/** The value below which `share` (0..1) of the values lie. */
export function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

/** Messages per second. */
export function perSecond(count: number, milliseconds: number): number {
  return count / (milliseconds / 1000);
}
