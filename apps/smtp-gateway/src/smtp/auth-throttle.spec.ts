import { AUTH_FAILURE_WINDOW_MS, AUTH_MAX_FAILURES, AuthThrottle } from './auth-throttle';

describe('AuthThrottle', () => {
  let now = 0;
  const throttle = () => new AuthThrottle(() => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('blocks an address after its failures, and only that address', () => {
    const limits = throttle();
    for (let i = 0; i < AUTH_MAX_FAILURES - 1; i += 1) {
      limits.failed('192.0.2.1');
    }
    expect(limits.blocked('192.0.2.1')).toBe(false);

    limits.failed('192.0.2.1');

    expect(limits.blocked('192.0.2.1')).toBe(true);
    expect(limits.blocked('192.0.2.2')).toBe(false);
  });

  it('lets the address try again once the window since its first failure has passed', () => {
    const limits = throttle();
    for (let i = 0; i < AUTH_MAX_FAILURES; i += 1) {
      limits.failed('192.0.2.1');
    }

    now += AUTH_FAILURE_WINDOW_MS - 1;
    expect(limits.blocked('192.0.2.1')).toBe(true);
    now += 1;
    expect(limits.blocked('192.0.2.1')).toBe(false);
  });

  it('forgets the failures of an address that then signs in', () => {
    const limits = throttle();
    for (let i = 0; i < AUTH_MAX_FAILURES - 1; i += 1) {
      limits.failed('192.0.2.1');
    }

    limits.succeeded('192.0.2.1');
    limits.failed('192.0.2.1');

    expect(limits.blocked('192.0.2.1')).toBe(false);
  });
});
