import { Inject, Injectable, Optional } from '@nestjs/common';
import { Clock } from './clock.port';
import { MtaStsDnsPort } from './mta-sts-dns.port';
import { MtaStsHttpsPort } from './mta-sts-https.port';
import {
  type MtaStsMode,
  normalizeHost,
  parseMtaStsPolicy,
  parseMtaStsTxt,
  type MtaStsPolicy,
} from './mta-sts-policy';

/** What MTA-STS says about a domain: no policy, a policy, or why none could be read. */
export type MtaStsResult =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'policy';
      readonly mode: MtaStsMode;
      readonly mx: readonly string[];
      readonly maxAge: number;
      readonly id: string;
    }
  | { readonly kind: 'error'; readonly reason: string };

export interface MtaStsResolverOptions {
  /** How long an answer is reused before the TXT record is asked again. */
  recheckMs: number;
  /** The same for errors, shorter so a fixed policy host is noticed soon. */
  errorRecheckMs: number;
  /** Guard around each port call, in case an implementation never settles. */
  lookupTimeoutMs: number;
  /** Domains remembered at most; the oldest is forgotten first. */
  maxDomains: number;
}

export const MTA_STS_RESOLVER_OPTIONS = Symbol('MTA_STS_RESOLVER_OPTIONS');

const DEFAULTS: MtaStsResolverOptions = {
  // The TXT id is how a domain announces a new policy; a few minutes' delay in noticing is
  // what RFC 8461 section 3.3 expects of senders that do not look up on every message.
  recheckMs: 5 * 60_000,
  errorRecheckMs: 60_000,
  // Above the HTTPS port's own 30 s timeout, so that one reports first and says why.
  lookupTimeoutMs: 45_000,
  maxDomains: 10_000,
};

interface CachedPolicy {
  policy: MtaStsPolicy;
  id: string;
  expiresAt: number;
}

interface DomainEntry {
  policy?: CachedPolicy;
  answer: MtaStsResult;
  recheckAt: number;
}

/**
 * Resolves the MTA-STS policy of a recipient domain (RFC 8461). Policies are cached until
 * their max_age; a new TXT id triggers a fetch, and a failed refresh keeps serving the cached
 * policy (section 5.1), so an attacker who blocks the fetch cannot strip a known policy.
 */
@Injectable()
export class MtaStsResolverService {
  private readonly entries = new Map<string, DomainEntry>();
  private readonly inflight = new Map<string, Promise<MtaStsResult>>();
  private readonly options: MtaStsResolverOptions;

  constructor(
    private readonly dns: MtaStsDnsPort,
    private readonly https: MtaStsHttpsPort,
    private readonly clock: Clock,
    @Optional() @Inject(MTA_STS_RESOLVER_OPTIONS) options: Partial<MtaStsResolverOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  resolve(domain: string): Promise<MtaStsResult> {
    const name = normalizeHost(domain);
    const now = this.clock.now().getTime();
    const entry = this.liveEntry(name, now);
    if (entry && now < entry.recheckAt) {
      return Promise.resolve(entry.answer);
    }

    let pending = this.inflight.get(name);
    if (!pending) {
      pending = this.refresh(name, entry?.policy).finally(() => this.inflight.delete(name));
      this.inflight.set(name, pending);
    }
    return pending;
  }

  /** The domain's entry, without a policy past its max_age. */
  private liveEntry(name: string, now: number): DomainEntry | undefined {
    const entry = this.entries.get(name);
    if (entry?.policy && now >= entry.policy.expiresAt) {
      this.entries.delete(name);
      return undefined;
    }
    return entry;
  }

  private async refresh(domain: string, cached: CachedPolicy | undefined): Promise<MtaStsResult> {
    const answer = await this.lookup(domain, cached);

    const kept = answer.policy ?? cached;
    const now = this.clock.now().getTime();
    const result = kept ? toResult(kept) : answer.result;
    // A failed refresh is retried sooner, even while the cached policy stands in for it.
    const failed = answer.result.kind === 'error';
    const wait = failed ? this.options.errorRecheckMs : this.options.recheckMs;
    this.remember(domain, { policy: kept, answer: result, recheckAt: now + wait });
    return result;
  }

  /** A newly fetched policy, or the result to give when there is none to keep. */
  private async lookup(
    domain: string,
    cached: CachedPolicy | undefined,
  ): Promise<{ policy?: CachedPolicy; result: MtaStsResult }> {
    let records: string[][];
    try {
      records = await this.guard(this.dns.resolveTxt(`_mta-sts.${domain}`));
    } catch {
      return { result: { kind: 'error', reason: `MTA-STS TXT lookup for ${domain} failed` } };
    }
    const txt = parseMtaStsTxt(records);
    if (txt.kind === 'absent') {
      return { result: { kind: 'none' } };
    }
    if (txt.kind === 'invalid') {
      return { result: { kind: 'error', reason: `MTA-STS for ${domain}: ${txt.reason}` } };
    }
    if (cached && cached.id === txt.id) {
      return { result: toResult(cached) };
    }

    const fetched = await this.fetch(domain);
    if (!fetched.ok) {
      return {
        result: { kind: 'error', reason: `MTA-STS policy for ${domain}: ${fetched.reason}` },
      };
    }
    const expiresAt = this.clock.now().getTime() + fetched.policy.maxAge * 1000;
    const policy = { policy: fetched.policy, id: txt.id, expiresAt };
    return { policy, result: toResult(policy) };
  }

  private async fetch(
    domain: string,
  ): Promise<{ ok: true; policy: MtaStsPolicy } | { ok: false; reason: string }> {
    try {
      const response = await this.guard(this.https.fetchPolicy(domain));
      if (response.status !== 200) {
        return { ok: false, reason: `HTTP ${response.status}` };
      }
      // Section 3.2: only text/plain, so a user-uploaded HTML page cannot pose as a policy.
      const mediaType = response.contentType.split(';')[0].trim().toLowerCase();
      if (mediaType !== 'text/plain') {
        return { ok: false, reason: 'served as another type than text/plain' };
      }
      return parseMtaStsPolicy(response.body);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { ok: false, reason: `fetch failed${typeof code === 'string' ? ` (${code})` : ''}` };
    }
  }

  private guard<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEDOUT' })),
        this.options.lookupTimeoutMs,
      );
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private remember(domain: string, entry: DomainEntry): void {
    this.entries.delete(domain);
    this.entries.set(domain, entry);
    if (this.entries.size > this.options.maxDomains) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
      }
    }
  }
}

function toResult(cached: CachedPolicy): MtaStsResult {
  const { mode, mx, maxAge } = cached.policy;
  return { kind: 'policy', mode, mx: [...mx], maxAge, id: cached.id };
}
