import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ExpiredRowsPruner, SEALPOST_CONFIG, type SealpostConfig } from '@sealpost/core';
import { DataSource } from 'typeorm';

// Far longer than a connector waits before judging a sent message (minutes), short enough
// that the table stays small.
const KEEP_DAYS = 30;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * How long after a mail suite sent a message the connectors wait for the gateway to have it
 * before calling it a bypass: the suite keeps its Sent copy at once, while its transport
 * reaches the gateway seconds (under load, minutes) later.
 */
export const GATEWAY_TRANSIT_GRACE_MS = 15 * 60 * 1000;

/**
 * Which Message-IDs the gateway took, for the connectors' bypass checks. A Message-ID is
 * stored only as an HMAC under a key derived from the master key, so the table names no
 * sender or host; lookups also try the previous master keys, so a key rotation does not make
 * recent gateway mail look like a bypass.
 */
@Injectable()
export class GatewayReceipts {
  private readonly keys: Buffer[];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SEALPOST_CONFIG) config: SealpostConfig,
  ) {
    this.keys = [config.crypto.masterKey, ...config.crypto.previousMasterKeys].map(deriveKey);
  }

  /** The digest the gateway stores for a Message-ID header; null without a usable one. */
  digest(messageIdHeader: string | undefined | null): Buffer | null {
    return digestWith(this.keys[0], messageIdHeader);
  }

  /** The Message-IDs of `headers` the gateway took for this organisation. */
  async taken(organisationId: string, headers: readonly string[]): Promise<Set<string>> {
    // Several spellings of one id share a digest: each is answered.
    const byDigest = new Map<string, string[]>();
    for (const header of headers) {
      for (const key of this.keys) {
        const digest = digestWith(key, header)?.toString('hex');
        if (digest) {
          byDigest.set(digest, [...(byDigest.get(digest) ?? []), header]);
        }
      }
    }
    if (!byDigest.size) {
      return new Set();
    }
    const rows = await this.dataSource.query<{ digest: string }[]>(
      `SELECT encode(origin_digest, 'hex') AS digest FROM gateway_receipts
        WHERE organisation_id = $1 AND origin_digest = ANY ($2::bytea[])`,
      [organisationId, [...byDigest.keys()].map((hex) => Buffer.from(hex, 'hex'))],
    );
    return new Set(rows.flatMap((row) => byDigest.get(row.digest) ?? []));
  }
}

/** Forgets receipts after KEEP_DAYS; run by the gateway, which writes them. */
@Injectable()
export class GatewayReceiptsPruner extends ExpiredRowsPruner {
  constructor(dataSource: DataSource) {
    super(dataSource, {
      what: 'gateway_receipts',
      deleteStatement: `DELETE FROM gateway_receipts
                         WHERE received_at < now() - make_interval(days => $1)`,
      params: [KEEP_DAYS],
      everyMs: PRUNE_EVERY_MS,
    });
  }
}

function deriveKey(masterKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'sealpost-gateway-receipt-v1', 32),
  );
}

/**
 * Message-IDs compare without their angle brackets and surrounding space, as Graph, Gmail and
 * mail parsers each present them a little differently; the id itself is case-sensitive.
 */
function digestWith(key: Buffer, header: string | undefined | null): Buffer | null {
  const id = (header ?? '')
    .trim()
    .replace(/^<+|>+$/g, '')
    .trim();
  if (!id || id.length > 998) {
    return null;
  }
  return createHmac('sha256', key).update(id).digest().subarray(0, 16);
}
