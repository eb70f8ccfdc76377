import { LRUCache } from 'lru-cache';

// Five wrong passwords in fifteen minutes is more than a misconfigured mail suite retrying
// makes before someone notices, and far too few to guess a generated credential.
export const AUTH_MAX_FAILURES = 5;
export const AUTH_FAILURE_WINDOW_MS = 15 * 60 * 1000;
// Addresses remembered at once; the oldest are forgotten first under a wide spray.
const MAX_ADDRESSES = 50_000;

interface Failures {
  count: number;
  /** When the first failure of the window happened. */
  since: number;
}

/**
 * Limits failed SMTP AUTH per client address. Only the address is limited, never the
 * credential: locking a credential would let anyone who knows a username stop an
 * organisation's outbound mail. Kept per gateway process: several processes behind a load
 * balancer each allow the limit, which still bounds guessing to a handful per minute.
 */
export class AuthThrottle {
  private readonly failures = new LRUCache<string, Failures>({ max: MAX_ADDRESSES });

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether this address has used up its failures for the current window. */
  blocked(address: string): boolean {
    const entry = this.current(address);
    return !!entry && entry.count >= AUTH_MAX_FAILURES;
  }

  failed(address: string): void {
    const entry = this.current(address) ?? { count: 0, since: this.now() };
    this.failures.set(address, { ...entry, count: entry.count + 1 });
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string): Failures | undefined {
    const entry = this.failures.get(address);
    if (entry && this.now() - entry.since >= AUTH_FAILURE_WINDOW_MS) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
