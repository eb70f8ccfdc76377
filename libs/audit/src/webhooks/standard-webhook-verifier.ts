import { createHmac, timingSafeEqual, verify } from 'node:crypto';
import { type Clock } from '@sealpost/encryption';
import { signedContent } from './webhook-signer';
import {
  ED25519_PUBLIC_PREFIX,
  ed25519PublicKey,
  HMAC_SECRET_PREFIX,
  secretBytes,
} from './webhook-secrets';

// Standard Webhooks' recommended tolerance: long enough for clock skew and a slow proxy,
// short enough that a captured request is useless soon after.
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export enum WebhookVerificationFailure {
  MissingHeaders = 'missing_headers',
  BadTimestamp = 'bad_timestamp',
  StaleTimestamp = 'stale_timestamp',
  BadSignature = 'bad_signature',
  Replayed = 'replayed',
}

/** Why an inbound webhook was refused; the reason code only, never the request's content. */
export class WebhookVerificationError extends Error {
  constructor(readonly reason: WebhookVerificationFailure) {
    super(`webhook refused: ${reason}`);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * Remembers the webhook ids already accepted. An id only needs remembering while its
 * timestamp is inside the tolerance: after that the timestamp check refuses it anyway.
 */
export interface SeenWebhookIds {
  /** True the first time `id` is offered before `forgetAfter`; false for a replay. */
  remember(id: string, forgetAfter: Date, now: Date): boolean;
}

/** For one process; a fleet of receivers would share a store (e.g. Redis SET NX EX). */
export class InMemorySeenWebhookIds implements SeenWebhookIds {
  private readonly ids = new Map<string, number>();

  remember(id: string, forgetAfter: Date, now: Date): boolean {
    for (const [seen, until] of this.ids) {
      if (until < now.getTime()) {
        this.ids.delete(seen);
      }
    }
    if (this.ids.has(id)) {
      return false;
    }
    this.ids.set(id, forgetAfter.getTime());
    return true;
  }
}

export type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * Verifies an inbound Standard Webhooks 1.0 request: the timestamp within five minutes of
 * `clock`, one signature of `webhook-signature` made by one of `secrets` (whsec_ for
 * HMAC-SHA256, whpk_ for Ed25519), and an id not seen before. `body` is the raw body as
 * received: re-serialised JSON would not verify. Returns the id and timestamp; throws
 * WebhookVerificationError otherwise.
 */
export function verifyStandardWebhook(
  headers: HeaderBag,
  body: string | Buffer,
  secrets: readonly string[],
  clock: Clock,
  seen: SeenWebhookIds,
): { id: string; timestamp: number } {
  const id = header(headers, 'webhook-id');
  const rawTimestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !rawTimestamp || !signatures) {
    throw new WebhookVerificationError(WebhookVerificationFailure.MissingHeaders);
  }
  if (!/^\d{1,12}$/.test(rawTimestamp)) {
    throw new WebhookVerificationError(WebhookVerificationFailure.BadTimestamp);
  }

  const timestamp = Number(rawTimestamp);
  const now = clock.now();
  if (Math.abs(now.getTime() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookVerificationError(WebhookVerificationFailure.StaleTimestamp);
  }

  const content = signedContent(id, timestamp, Buffer.from(body).toString('utf8'));
  const offered = signatures.split(' ').filter(Boolean);
  if (!secrets.some((secret) => offered.some((signature) => matches(signature, secret, content)))) {
    throw new WebhookVerificationError(WebhookVerificationFailure.BadSignature);
  }

  const forgetAfter = new Date((timestamp + WEBHOOK_TOLERANCE_SECONDS) * 1000);
  if (!seen.remember(id, forgetAfter, now)) {
    throw new WebhookVerificationError(WebhookVerificationFailure.Replayed);
  }
  return { id, timestamp };
}

function matches(signature: string, secret: string, content: Buffer): boolean {
  const comma = signature.indexOf(',');
  const version = signature.slice(0, comma);
  const value = Buffer.from(signature.slice(comma + 1), 'base64');
  if (version === 'v1' && secret.startsWith(HMAC_SECRET_PREFIX)) {
    const expected = createHmac('sha256', secretBytes(secret, HMAC_SECRET_PREFIX))
      .update(content)
      .digest();
    return value.length === expected.length && timingSafeEqual(value, expected);
  }
  if (version === 'v1a' && secret.startsWith(ED25519_PUBLIC_PREFIX)) {
    return value.length === 64 && verify(null, content, ed25519PublicKey(secret), value);
  }
  return false;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}
