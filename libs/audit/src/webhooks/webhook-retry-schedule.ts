const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The wait after each failed attempt; one attempt at once, then one after each of these, 14 in
 * all over about 3 days 3 hours. The first minutes ride out a deploy or a restart; the hours
 * that follow double, so an outage of an afternoon costs the receiver few requests; then every
 * 12 hours for two and a half days, so a receiver broken over a long weekend still gets
 * every event once it is fixed. Longer than that and the events are stale for most
 * integrations; an operator can replay them.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  12 * HOUR,
  12 * HOUR,
  12 * HOUR,
  12 * HOUR,
  12 * HOUR,
];

export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_MS.length + 1;

// +-20%: after an outage, deliveries that failed together spread out instead of arriving in
// one burst at the recovering receiver.
export const WEBHOOK_JITTER = 0.2;

// A receiver may ask for a pause with Retry-After; longer than a day is taken as a day, so a
// typo on its side cannot park an event past the whole retry window in one step.
export const WEBHOOK_MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * When to try again after failed attempt number `attempt` (1-based), or null when all
 * attempts are spent. `random` returns [0, 1); `retryAfterMs` is the receiver's request, which
 * is honoured when it asks for longer than the schedule.
 */
export function nextAttemptDelayMs(
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number | null {
  if (attempt >= WEBHOOK_MAX_ATTEMPTS) {
    return null;
  }
  const base = WEBHOOK_RETRY_DELAYS_MS[attempt - 1];
  const scheduled = Math.round(base * (1 - WEBHOOK_JITTER + 2 * WEBHOOK_JITTER * random()));
  if (retryAfterMs === undefined) {
    return scheduled;
  }
  return Math.max(scheduled, Math.min(retryAfterMs, WEBHOOK_MAX_RETRY_AFTER_MS));
}

/** Retry-After as delta seconds or an HTTP date (RFC 9110 section 10.2.3); else undefined. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) {
    return undefined;
  }
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * SECOND;
  }
  // HTTP dates end in GMT in every format RFC 9110 allows; Date.parse alone takes "-5".
  const at = /GMT$/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, at - now.getTime());
}
