import {
  nextAttemptDelayMs,
  parseRetryAfter,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_MAX_RETRY_AFTER_MS,
  WEBHOOK_RETRY_DELAYS_MS,
} from './webhook-retry-schedule';

const HOUR = 3600_000;
const middle = () => 0.5;

describe('webhook retry schedule', () => {
  it('spreads the attempts over about three days', () => {
    const total = WEBHOOK_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);

    expect(total).toBeGreaterThan(66 * HOUR);
    expect(total).toBeLessThan(84 * HOUR);
  });

  it('grows, never shrinks, from one attempt to the next', () => {
    for (let i = 1; i < WEBHOOK_RETRY_DELAYS_MS.length; i++) {
      expect(WEBHOOK_RETRY_DELAYS_MS[i]).toBeGreaterThanOrEqual(WEBHOOK_RETRY_DELAYS_MS[i - 1]);
    }
  });

  it('keeps jitter within 20% of the scheduled delay', () => {
    for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) {
      const base = WEBHOOK_RETRY_DELAYS_MS[attempt - 1];
      expect(nextAttemptDelayMs(attempt, () => 0)).toBe(Math.round(base * 0.8));
      expect(nextAttemptDelayMs(attempt, () => 0.999999)).toBeLessThanOrEqual(base * 1.2);
      expect(nextAttemptDelayMs(attempt, middle)).toBe(base);
    }
  });

  it('gives up after the last attempt', () => {
    expect(nextAttemptDelayMs(WEBHOOK_MAX_ATTEMPTS - 1, middle)).not.toBeNull();
    expect(nextAttemptDelayMs(WEBHOOK_MAX_ATTEMPTS, middle)).toBeNull();
  });

  it('waits as long as Retry-After asks when that is longer, up to a day', () => {
    expect(nextAttemptDelayMs(1, middle, 2 * HOUR)).toBe(2 * HOUR);
    expect(nextAttemptDelayMs(1, middle, 1000)).toBe(WEBHOOK_RETRY_DELAYS_MS[0]);
    expect(nextAttemptDelayMs(1, middle, 30 * 24 * HOUR)).toBe(WEBHOOK_MAX_RETRY_AFTER_MS);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2030-01-01T00:00:00Z');

  it('reads delta seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Tue, 01 Jan 2030 01:00:00 GMT', now)).toBe(HOUR);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', 'soon', '-5'])('ignores %p', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
