import { setTimeout as sleep } from 'node:timers/promises';
import { statusOf } from '../google-workspace-error';

// Five tries span about 15 s of backoff when Google sends no Retry-After: enough to ride out
// a burst of per-user quota, short enough that a sync job does not hold its slot for minutes.
const MAX_ATTEMPTS = 5;
const BASE_DELAY_MS = 1000;
// Retry-After beyond this is not waited for here; the job fails and the next run retries.
const MAX_RETRY_AFTER_MS = 60_000;
// Directory and Gmail answer 403 with these reasons for per-user and per-project quota.
const RATE_LIMIT_REASONS = ['rateLimitExceeded', 'userRateLimitExceeded'];

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

export type Sleeper = (ms: number) => Promise<unknown>;

/**
 * Runs one Google call, again after 429 and 503 (and the other transient answers) as Google
 * asks: after Retry-After when the answer carries one, else with exponential backoff and
 * jitter. Anything else is thrown at once.
 */
export async function withGoogleRetry<T>(
  call: () => Promise<T>,
  wait: Sleeper = sleep,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delay = retryDelayMs(error, attempt);
      if (delay === null || attempt >= MAX_ATTEMPTS) {
        throw error;
      }
      await wait(delay);
    }
  }
}

/** How long to wait before trying again, or null when the failure is not transient. */
export function retryDelayMs(error: unknown, attempt: number): number | null {
  const status = statusOf(error);
  if (!isTransient(error, status)) {
    return null;
  }
  const retryAfter = retryAfterMs(headerOf(error, 'retry-after'));
  if (retryAfter !== null) {
    return Math.min(retryAfter, MAX_RETRY_AFTER_MS);
  }
  const backoff = BASE_DELAY_MS * 2 ** (attempt - 1);
  return backoff + Math.floor(Math.random() * BASE_DELAY_MS);
}

function isTransient(error: unknown, status: number | undefined): boolean {
  if (status === undefined) {
    // No answer at all (reset, refused, timed out): a network blip is worth another try.
    const failed = error as { code?: unknown; cause?: { code?: unknown } } | null;
    const code = failed?.code ?? failed?.cause?.code;
    return typeof code === 'string' && NETWORK_CODES.has(code);
  }
  if ([429, 500, 502, 503, 504].includes(status)) {
    return true;
  }
  return status === 403 && RATE_LIMIT_REASONS.includes(reasonOf(error) ?? '');
}

/** Retry-After as seconds or as an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim()) * 1000;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function headerOf(error: unknown, name: string): string | null {
  const headers = (error as { response?: { headers?: unknown } } | null)?.response?.headers;
  if (headers instanceof Headers) {
    return headers.get(name);
  }
  if (headers && typeof headers === 'object') {
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : null;
  }
  return null;
}

/** The first error reason of Google's JSON error body ({error: {errors: [{reason}]}}). */
function reasonOf(error: unknown): string | undefined {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data as
    { error?: { errors?: { reason?: unknown }[] } } | undefined;
  const reason = data?.error?.errors?.[0]?.reason;
  return typeof reason === 'string' ? reason : undefined;
}
