import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { type DirectoryLookup } from '../directory/directory-entry';
import { PgpKeyError } from '../pgp/pgp-key.error';
import { Clock } from '../tls-probe/clock.port';
import { WkdHttpsPort, type WkdResponse } from './wkd-https.port';
import { readWkdKey } from './wkd-key-reader';
import { wkdUrls } from './wkd-url';

export interface WkdCacheOptions {
  maxEntries?: number;
  foundTtlMs?: number;
  notFoundTtlMs?: number;
  failedTtlMs?: number;
}

export const WKD_CACHE_OPTIONS = Symbol('WKD_CACHE_OPTIONS');

/** Recorded on the recipient when its key came from a Web Key Directory. */
export const FROM_WKD = 'PGP key from WKD';

// One entry is a few kilobytes of armored key; ten thousand recipients stay within tens of MB.
const DEFAULT_MAX_ENTRIES = 10_000;
// A published key changes rarely (GnuPG refreshes WKD keys daily); an hour bounds how long a
// revoked key may still be used after its owner replaced it.
const DEFAULT_FOUND_TTL_MS = 3_600_000;
// Most domains publish nothing; asking again every quarter hour keeps delivery from waiting
// on the same absent directory for every message.
const DEFAULT_NOT_FOUND_TTL_MS = 900_000;
// A network failure may be brief, so it is remembered for less time than an answer.
const DEFAULT_FAILED_TTL_MS = 300_000;

type Fetched = { kind: 'found'; body: Buffer } | { kind: 'absent' } | { kind: 'failed' };

interface CachedLookup {
  result: DirectoryLookup<string>;
  until: number;
}

/**
 * Looks recipients' keys up in their domain's OpenPGP Web Key Directory
 * (draft-koch-openpgp-webkey-service): the advanced method first, the direct method when the
 * `openpgpkey.` host cannot be reached. Found keys are checked like uploads. Answers, found
 * or not, are cached per address for a while, with a bounded number of entries, and
 * concurrent lookups of one address share one fetch.
 */
@Injectable()
export class WkdLookupService {
  private readonly logger = new Logger(WkdLookupService.name);
  private readonly cache: LRUCache<string, CachedLookup>;
  private readonly inFlight = new Map<string, Promise<DirectoryLookup<string>>>();
  private readonly ttl: Required<Omit<WkdCacheOptions, 'maxEntries'>>;

  constructor(
    private readonly https: WkdHttpsPort,
    private readonly clock: Clock,
    @Optional() @Inject(WKD_CACHE_OPTIONS) options: WkdCacheOptions = {},
  ) {
    this.cache = new LRUCache({ max: options.maxEntries ?? DEFAULT_MAX_ENTRIES });
    this.ttl = {
      foundTtlMs: options.foundTtlMs ?? DEFAULT_FOUND_TTL_MS,
      notFoundTtlMs: options.notFoundTtlMs ?? DEFAULT_NOT_FOUND_TTL_MS,
      failedTtlMs: options.failedTtlMs ?? DEFAULT_FAILED_TTL_MS,
    };
  }

  /** The usable key of `address` from WKD, or why there is none (`WKD: no key published`). */
  lookup(address: string): Promise<DirectoryLookup<string>> {
    const cached = this.cache.get(address);
    if (cached && cached.until > this.clock.now().getTime()) {
      return Promise.resolve(cached.result);
    }
    const pending = this.inFlight.get(address);
    if (pending) {
      return pending;
    }
    const lookup = this.fetchAndCache(address).finally(() => this.inFlight.delete(address));
    this.inFlight.set(address, lookup);
    return lookup;
  }

  private async fetchAndCache(address: string): Promise<DirectoryLookup<string>> {
    const fetched = await this.fetch(address);
    const now = this.clock.now();

    let result: DirectoryLookup<string>;
    let until: number;
    if (fetched.kind === 'found') {
      ({ result, until } = await this.judge(fetched.body, address, now));
    } else if (fetched.kind === 'absent') {
      result = { usable: false, reason: 'WKD: no key published' };
      until = now.getTime() + this.ttl.notFoundTtlMs;
    } else {
      result = { usable: false, reason: 'WKD: lookup failed' };
      until = now.getTime() + this.ttl.failedTtlMs;
    }
    this.cache.set(address, { result, until });
    this.logger.debug({ outcome: fetched.kind, usable: result.usable }, 'WKD lookup');
    return result;
  }

  /** A found key is cached until the TTL ends or the key expires, whichever comes first. */
  private async judge(body: Buffer, address: string, now: Date): Promise<CachedLookup> {
    try {
      const key = await readWkdKey(body, address, now);
      const expiry = key.expiresAt?.getTime() ?? Infinity;
      return {
        result: { usable: true, material: key.armored, reason: FROM_WKD },
        until: Math.min(now.getTime() + this.ttl.foundTtlMs, expiry),
      };
    } catch (error) {
      if (!(error instanceof PgpKeyError)) {
        throw error;
      }
      return {
        result: { usable: false, reason: `WKD: key ${error.reason.replace(/_/g, ' ')}` },
        until: now.getTime() + this.ttl.notFoundTtlMs,
      };
    }
  }

  /**
   * An answer of the advanced host is final, even a 404: its domain runs a directory. Only
   * when that host cannot be reached (most often: no such DNS name) is the direct one asked.
   */
  private async fetch(address: string): Promise<Fetched> {
    const { advanced, direct } = wkdUrls(address);
    const first = await this.get(advanced, 'advanced');
    if (first) {
      return outcomeOf(first);
    }
    const second = await this.get(direct, 'direct');
    return second ? outcomeOf(second) : { kind: 'failed' };
  }

  private async get(url: URL, method: 'advanced' | 'direct'): Promise<WkdResponse | null> {
    try {
      return await this.https.fetch(url);
    } catch (error) {
      // The code only (ENOTFOUND, ETIMEDOUT, ...): the host name carries the recipient domain.
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      this.logger.debug({ code, method }, 'WKD fetch failed');
      return null;
    }
  }
}

function outcomeOf(response: WkdResponse): Fetched {
  return response.status === 200 && response.body.length > 0
    ? { kind: 'found', body: response.body }
    : { kind: 'absent' };
}
