import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { type PublicKey } from 'openpgp';
import { type InspectedKey, inspectPublicKey } from './pgp-key-inspector';
import { readEncryptionKey } from './pgp-public-key-reader';

// A key's verdict depends only on its own packets (revocations included) and on the time, so
// it can be reused until the key or its encryption subkey expires. The bound on top keeps a
// long-lived worker from holding a verdict about a key longer than a policy reload would.
const VERDICT_TTL_MS = 10 * 60 * 1000;
// Parsed keys are a few kilobytes each; this covers the active recipients of a large site.
const MAX_KEYS = 10_000;

interface Verdict<T> {
  value: T;
  validUntil: number;
}

/**
 * Parses and verifies recipients' public keys once instead of on every delivery: the
 * directory's check and the encryption each cost about as much as encrypting a message.
 * Only keys that passed are remembered; a failing key is checked again each time.
 */
@Injectable()
export class VerifiedPgpKeys {
  private readonly keys = new LRUCache<string, Verdict<PublicKey>>({ max: MAX_KEYS });
  private readonly inspections = new LRUCache<string, Verdict<InspectedKey>>({ max: MAX_KEYS });

  /** `readEncryptionKey`, remembered for this armored text. */
  async encryptionKey(armored: string, now = new Date()): Promise<PublicKey> {
    const id = digest(armored);
    const known = fresh(this.keys.get(id), now);
    if (known) {
      return known;
    }
    const key = await readEncryptionKey(armored, now);
    this.keys.set(id, { value: key, validUntil: await validUntil(key, now) });
    return key;
  }

  /** `inspectPublicKey`, remembered for this armored text and address. */
  async inspect(armored: string, owner: string, now = new Date()): Promise<InspectedKey> {
    const id = `${digest(armored)}:${owner}`;
    const known = fresh(this.inspections.get(id), now);
    if (known) {
      return known;
    }
    const inspected = await inspectPublicKey(armored, owner, now);
    const key = await this.encryptionKey(armored, now);
    this.inspections.set(id, { value: inspected, validUntil: await validUntil(key, now) });
    return inspected;
  }
}

function digest(armored: string): string {
  return createHash('sha256').update(armored).digest('base64url');
}

function fresh<T>(verdict: Verdict<T> | undefined, now: Date): T | undefined {
  return verdict && now.getTime() < verdict.validUntil ? verdict.value : undefined;
}

/** The earliest of the TTL, the key's expiry and the expiry of the subkey encrypted to. */
async function validUntil(key: PublicKey, now: Date): Promise<number> {
  const encryptionKey = await key.getEncryptionKey(undefined, now);
  const limits = [now.getTime() + VERDICT_TTL_MS];
  for (const expiry of [await key.getExpirationTime(), await encryptionKey.getExpirationTime()]) {
    if (expiry instanceof Date) {
      limits.push(expiry.getTime());
    }
  }
  return Math.min(...limits);
}
