import { createHash } from 'node:crypto';

/** Fingerprint of a request body for Idempotency-Key comparison. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}
