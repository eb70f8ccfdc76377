import { retryDelaySeconds } from './retry-policy';

// A random source fixed at the middle of [0, 1), where the jitter factor is exactly 1.
const NO_JITTER = () => 0.5;

describe('retryDelaySeconds', () => {
  it('doubles the base delay with each attempt', () => {
    const delays = [1, 2, 3, 4, 5].map((attempt) =>
      retryDelaySeconds(attempt, 60, 86400, NO_JITTER),
    );

    expect(delays).toEqual([60, 120, 240, 480, 960]);
  });

  it('treats attempt 0 like the first attempt', () => {
    expect(retryDelaySeconds(0, 60, 3600, NO_JITTER)).toBe(60);
  });

  it('caps the delay at the maximum', () => {
    expect(retryDelaySeconds(7, 60, 3600, NO_JITTER)).toBe(3600);
    expect(retryDelaySeconds(50, 60, 3600, NO_JITTER)).toBe(3600);
  });

  it('stays finite for an attempt count far beyond any real queue', () => {
    expect(retryDelaySeconds(5000, 60, 3600, NO_JITTER)).toBe(3600);
  });

  it('spreads the delay by at most 20% either way', () => {
    expect(retryDelaySeconds(1, 100, 3600, () => 0)).toBe(80);
    expect(retryDelaySeconds(1, 100, 3600, () => 0.999999)).toBe(120);
    expect(retryDelaySeconds(1, 100, 3600, () => 0.25)).toBe(90);
  });

  it('applies the jitter after the cap, so a capped delay varies too', () => {
    expect(retryDelaySeconds(20, 60, 1000, () => 0)).toBe(800);
    expect(retryDelaySeconds(20, 60, 1000, () => 0.999999)).toBe(1200);
  });

  it('stays within the bounds for many random draws', () => {
    for (let i = 0; i < 1000; i += 1) {
      const delay = retryDelaySeconds(3, 60, 3600);

      expect(delay).toBeGreaterThanOrEqual(192);
      expect(delay).toBeLessThanOrEqual(288);
    }
  });

  it('never returns less than one second', () => {
    expect(retryDelaySeconds(1, 1, 3600, () => 0)).toBe(1);
  });

  it('returns whole seconds', () => {
    expect(Number.isInteger(retryDelaySeconds(1, 7, 3600, () => 0.123))).toBe(true);
  });
});
