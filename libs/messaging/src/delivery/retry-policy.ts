/**
 * Exponential backoff with jitter: base * 2^(attempt-1), capped, then spread by +-20% so a
 * burst of deferrals from one busy server does not come back as one burst.
 */
export function retryDelaySeconds(
  attempt: number,
  baseSeconds: number,
  maxDelaySeconds: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxDelaySeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(exponential * (0.8 + 0.4 * random())));
}
