import { retryAfterMs, retryDelayMs, withGoogleRetry } from './google-retry';

const answered = (status: number, headers: Record<string, string> = {}, data?: unknown) =>
  Object.assign(new Error(`answered ${status}`), {
    response: { status, headers: new Headers(headers), data },
  });

describe('withGoogleRetry', () => {
  it('waits as Retry-After says on 429 and 503, then returns the answer', async () => {
    const waits: number[] = [];
    const answers = [answered(429, { 'retry-after': '3' }), answered(503, { 'retry-after': '1' })];

    const result = await withGoogleRetry(
      () => {
        const next = answers.shift();
        return next ? Promise.reject(next) : Promise.resolve('ok');
      },
      (ms) => Promise.resolve(waits.push(ms)),
    );

    expect(result).toBe('ok');
    expect(waits).toEqual([3000, 1000]);
  });

  it('backs off exponentially without Retry-After and gives up after five tries', async () => {
    const waits: number[] = [];
    let calls = 0;

    const failure = await withGoogleRetry(
      () => {
        calls += 1;
        return Promise.reject(answered(503));
      },
      (ms) => Promise.resolve(waits.push(ms)),
    ).catch((error: unknown) => error);

    expect(calls).toBe(5);
    expect((failure as { response: { status: number } }).response.status).toBe(503);
    expect(waits.map((ms) => Math.floor(ms / 1000))).toEqual([1, 2, 4, 8]);
  });

  it('does not retry a refusal, but does retry a 403 for rate limits', () => {
    const rateLimited = { error: { errors: [{ reason: 'userRateLimitExceeded' }] } };

    expect(retryDelayMs(answered(403), 1)).toBeNull();
    expect(retryDelayMs(answered(404), 1)).toBeNull();
    expect(retryDelayMs(answered(403, {}, rateLimited), 1)).not.toBeNull();
    expect(retryDelayMs(new Error('a bug'), 1)).toBeNull();
  });

  it('reads Retry-After as seconds or as an HTTP date, capped at a minute', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');

    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Fri, 04 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryDelayMs(answered(429, { 'retry-after': '3600' }), 1)).toBe(60_000);
  });
});
